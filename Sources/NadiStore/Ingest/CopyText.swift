package import NIOCore
import NadiCore

/// Rows of the `ping` table in PostgreSQL's COPY text format: what the batch writer streams, and
/// what `nadi bench ingest` COPYs to measure the ceiling.
package enum CopyText {
    /// Appends `row` as the columns device_id, observed_at, status, latency_ms, reason, metrics.
    package static func append(_ row: ResolvedPing, to buffer: inout ByteBuffer) {
        buffer.writeString(String(row.deviceID))
        buffer.writeInteger(UInt8(ascii: "\t"))
        buffer.writeString(Timestamp.postgresText(microseconds: row.observedMicros))
        buffer.writeInteger(UInt8(ascii: "\t"))
        buffer.writeString(row.status.rawValue)
        buffer.writeInteger(UInt8(ascii: "\t"))
        if let latency = row.latencyMs { buffer.writeString(String(Float(latency))) } else { buffer.writeString("\\N") }
        buffer.writeInteger(UInt8(ascii: "\t"))
        field(row.reason, to: &buffer)
        buffer.writeInteger(UInt8(ascii: "\t"))
        field(row.metricsJSON, to: &buffer)
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    /// Writes a text field, escaping backslash, tab, newline and carriage return; `\N` for NULL.
    static func field(_ value: String?, to buffer: inout ByteBuffer) {
        guard let value else {
            buffer.writeString("\\N")
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeString("\\\\")
            case UInt8(ascii: "\t"): buffer.writeString("\\t")
            case UInt8(ascii: "\n"): buffer.writeString("\\n")
            case UInt8(ascii: "\r"): buffer.writeString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
    }
}
