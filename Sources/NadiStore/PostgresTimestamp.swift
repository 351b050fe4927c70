package import Foundation
package import NIOCore
import NadiCore
package import PostgresNIO

/// A `timestamptz` exact to the microsecond both ways. (postgres-nio's `Date` coding truncates, so a
/// value read and written back can move by a microsecond, and interval boundaries must not move.)
package struct PostgresTimestamp: Sendable, Hashable, Comparable {
    /// Microseconds since 1970-01-01 UTC.
    package var microseconds: Int64

    static let epochOffset: Int64 = 946_684_800_000_000  // 1970 → 2000 in µs

    package init(microseconds: Int64) { self.microseconds = microseconds }
    package init(_ date: Date) { self.microseconds = Timestamp.microseconds(date) }

    package var date: Date { Date(timeIntervalSince1970: Double(microseconds) / 1_000_000) }

    package static func < (lhs: Self, rhs: Self) -> Bool { lhs.microseconds < rhs.microseconds }
}

extension PostgresTimestamp: PostgresNonThrowingEncodable, PostgresArrayEncodable {
    package static var psqlType: PostgresDataType { .timestamptz }
    package static var psqlFormat: PostgresFormat { .binary }
    package static var psqlArrayType: PostgresDataType { .timestamptzArray }

    package func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(microseconds - Self.epochOffset)
    }
}

extension PostgresTimestamp: PostgresDecodable {
    package init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat, context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard type == .timestamptz || type == .timestamp, buffer.readableBytes == 8, let value = buffer.readInteger(as: Int64.self) else {
            throw PostgresDecodingError.Code.typeMismatch
        }
        self.microseconds = value + Self.epochOffset
    }
}

extension Date {
    /// This date as an exact PostgreSQL timestamp.
    package var pg: PostgresTimestamp { PostgresTimestamp(self) }
}
