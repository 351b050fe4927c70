/// SNMPv2c GetRequest and Response messages in BER (X.690), the little of ASN.1 that polling a
/// switch port needs. Decoding checks every length against the bytes it has, so a malformed or
/// hostile datagram is an error, never a crash.
package enum SNMPMessage {
    /// A variable's value in a response.
    package enum Value: Sendable, Equatable {
        case integer(Int64)
        /// Counter32, Gauge32, TimeTicks, Counter64.
        case unsigned(UInt64)
        case octets([UInt8])
        case oid([UInt32])
        case null
        case noSuchObject, noSuchInstance, endOfMibView
        case other(tag: UInt8)

        /// The value as a number, when it is one.
        package var number: Double? {
            switch self {
            case .integer(let value): Double(value)
            case .unsigned(let value): Double(value)
            default: nil
            }
        }
    }

    /// A decoded Response-PDU.
    package struct Response: Sendable, Equatable {
        package var requestID: Int32
        package var errorStatus: Int64
        package var bindings: [(oid: [UInt32], value: Value)]

        package static func == (lhs: Response, rhs: Response) -> Bool {
            lhs.requestID == rhs.requestID && lhs.errorStatus == rhs.errorStatus && lhs.bindings.count == rhs.bindings.count
                && zip(lhs.bindings, rhs.bindings).allSatisfy { $0.oid == $1.oid && $0.value == $1.value }
        }
    }

    /// A malformed message.
    package struct DecodingError: Error, Sendable, Equatable, CustomStringConvertible {
        package let description: String
    }

    // MARK: Encoding

    /// `GetRequest` (SNMPv2c) for `oids`.
    package static func getRequest(community: String, requestID: Int32, oids: [[UInt32]]) -> [UInt8] {
        let bindings = oids.flatMap { tlv(0x30, tlv(0x06, encodeOID($0)) + [0x05, 0x00]) }
        let pdu = tlv(0xA0, tlv(0x02, encodeInteger(Int64(requestID))) + tlv(0x02, [0]) + tlv(0x02, [0]) + tlv(0x30, bindings))
        return tlv(0x30, tlv(0x02, [1]) + tlv(0x04, Array(community.utf8)) + pdu)
    }

    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        [tag] + encodeLength(content.count) + content
    }

    static func encodeLength(_ count: Int) -> [UInt8] {
        if count < 0x80 { return [UInt8(count)] }
        var bytes: [UInt8] = []
        var rest = count
        while rest > 0 {
            bytes.insert(UInt8(rest & 0xFF), at: 0)
            rest >>= 8
        }
        return [0x80 | UInt8(bytes.count)] + bytes
    }

    static func encodeInteger(_ value: Int64) -> [UInt8] {
        var bytes = withUnsafeBytes(of: value.bigEndian, Array.init)
        while bytes.count > 1, (bytes[0] == 0x00 && bytes[1] & 0x80 == 0) || (bytes[0] == 0xFF && bytes[1] & 0x80 != 0) {
            bytes.removeFirst()
        }
        return bytes
    }

    static func encodeOID(_ arcs: [UInt32]) -> [UInt8] {
        guard arcs.count >= 2 else { return [] }
        var bytes = base128(UInt64(arcs[0]) * 40 + UInt64(arcs[1]))
        for arc in arcs.dropFirst(2) { bytes += base128(UInt64(arc)) }
        return bytes
    }

    static func base128(_ value: UInt64) -> [UInt8] {
        var bytes = [UInt8(value & 0x7F)]
        var rest = value >> 7
        while rest > 0 {
            bytes.insert(UInt8(rest & 0x7F) | 0x80, at: 0)
            rest >>= 7
        }
        return bytes
    }

    // MARK: Decoding

    /// Decodes a `Response` (SNMPv2c); throws for anything else.
    package static func decodeResponse(_ bytes: [UInt8]) throws(DecodingError) -> Response {
        var reader = Reader(bytes: bytes[...])
        var message = try reader.reader(expecting: 0x30)
        let version = try integer(message.element(expecting: 0x02))
        guard version == 1 else { throw DecodingError(description: "not SNMPv2c (version \(version))") }
        _ = try message.element(expecting: 0x04)  // community
        var pdu = try message.reader(expecting: 0xA2)
        let requestID = try integer(pdu.element(expecting: 0x02))
        let errorStatus = try integer(pdu.element(expecting: 0x02))
        _ = try pdu.element(expecting: 0x02)  // error-index
        var list = try pdu.reader(expecting: 0x30)
        var bindings: [(oid: [UInt32], value: Value)] = []
        while !list.isEmpty {
            var binding = try list.reader(expecting: 0x30)
            let oid = try decodeOID(binding.element(expecting: 0x06))
            let (tag, content) = try binding.anyElement()
            bindings.append((oid, try value(tag: tag, content)))
        }
        guard let id = Int32(exactly: requestID) else { throw DecodingError(description: "request-id out of range") }
        return Response(requestID: id, errorStatus: errorStatus, bindings: bindings)
    }

    static func value(tag: UInt8, _ content: ArraySlice<UInt8>) throws(DecodingError) -> Value {
        switch tag {
        case 0x02: return .integer(try integer(content))
        case 0x04: return .octets(Array(content))
        case 0x05: return .null
        case 0x06: return .oid(try decodeOID(content))
        case 0x41, 0x42, 0x43, 0x46:
            guard content.count <= 9 else { throw DecodingError(description: "counter too long") }
            return .unsigned(content.reduce(0) { $0 << 8 | UInt64($1) })
        case 0x80: return .noSuchObject
        case 0x81: return .noSuchInstance
        case 0x82: return .endOfMibView
        default: return .other(tag: tag)
        }
    }

    static func integer(_ content: ArraySlice<UInt8>) throws(DecodingError) -> Int64 {
        guard let first = content.first, content.count <= 8 else { throw DecodingError(description: "bad INTEGER") }
        var value: Int64 = first & 0x80 != 0 ? -1 : 0
        for byte in content { value = value << 8 | Int64(byte) }
        return value
    }

    static func decodeOID(_ content: ArraySlice<UInt8>) throws(DecodingError) -> [UInt32] {
        var arcs: [UInt32] = []
        var current: UInt64 = 0
        for byte in content {
            current = current << 7 | UInt64(byte & 0x7F)
            guard current <= UInt64(UInt32.max) * 40 else { throw DecodingError(description: "OID arc too large") }
            if byte & 0x80 == 0 {
                if arcs.isEmpty {
                    let first = min(current / 40, 2)
                    arcs = [UInt32(first), UInt32(clamping: current - first * 40)]
                } else {
                    arcs.append(UInt32(clamping: current))
                }
                current = 0
            }
        }
        guard !arcs.isEmpty, content.last.map({ $0 & 0x80 == 0 }) == true else { throw DecodingError(description: "bad OID") }
        return arcs
    }

    /// Walks TLVs within a slice.
    struct Reader {
        var bytes: ArraySlice<UInt8>

        var isEmpty: Bool { bytes.isEmpty }

        mutating func anyElement() throws(DecodingError) -> (UInt8, ArraySlice<UInt8>) {
            guard let tag = bytes.first else { throw DecodingError(description: "truncated") }
            var index = bytes.index(after: bytes.startIndex)
            guard index < bytes.endIndex else { throw DecodingError(description: "truncated length") }
            var length = Int(bytes[index])
            index += 1
            if length & 0x80 != 0 {
                let count = length & 0x7F
                guard count >= 1, count <= 4, bytes.endIndex - index >= count else { throw DecodingError(description: "bad length") }
                length = 0
                for _ in 0..<count {
                    length = length << 8 | Int(bytes[index])
                    index += 1
                }
            }
            guard length >= 0, bytes.endIndex - index >= length else { throw DecodingError(description: "length past the end") }
            let content = bytes[index..<index + length]
            bytes = bytes[(index + length)...]
            return (tag, content)
        }

        mutating func reader(expecting tag: UInt8) throws(DecodingError) -> Reader {
            let (found, content) = try anyElement()
            guard found == tag else {
                throw DecodingError(description: "expected tag 0x\(String(tag, radix: 16)), found 0x\(String(found, radix: 16))")
            }
            return Reader(bytes: content)
        }

        mutating func element(expecting tag: UInt8) throws(DecodingError) -> ArraySlice<UInt8> {
            try reader(expecting: tag).bytes
        }
    }
}
