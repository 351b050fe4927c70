import NadiCore
import Testing

@Suite("SNMP messages (BER)")
struct SNMPMessageTests {
    static let ifOperStatus1: [UInt32] = [1, 3, 6, 1, 2, 1, 2, 2, 1, 8, 1]

    @Test("a GetRequest is encoded byte for byte as X.690 says (worked out by hand)")
    func encodesGetRequest() {
        let bytes = SNMPMessage.getRequest(community: "public", requestID: 1, oids: [Self.ifOperStatus1])
        let expected: [UInt8] =
            [0x30, 0x28, 0x02, 0x01, 0x01, 0x04, 0x06] + Array("public".utf8)
            + [0xA0, 0x1B, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x10, 0x30, 0x0E, 0x06, 0x0A]
            + [0x2B, 0x06, 0x01, 0x02, 0x01, 0x02, 0x02, 0x01, 0x08, 0x01, 0x05, 0x00]
        #expect(bytes == expected)
    }

    @Test("a Response decodes: request id, status, each binding's OID and value")
    func decodesResponse() throws {
        let body: [UInt8] =
            [0x02, 0x02, 0x30, 0x39, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x1B]
            + [0x30, 0x0F, 0x06, 0x0A, 0x2B, 0x06, 0x01, 0x02, 0x01, 0x02, 0x02, 0x01, 0x08, 0x01, 0x02, 0x01, 0x02]
            + [0x30, 0x08, 0x06, 0x03, 0x2B, 0x06, 0x01, 0x41, 0x01, 0xFF]
        let message: [UInt8] =
            [0x30, UInt8(3 + 8 + 2 + body.count), 0x02, 0x01, 0x01, 0x04, 0x06] + Array("public".utf8) + [0xA2, UInt8(body.count)] + body
        let response = try SNMPMessage.decodeResponse(message)
        #expect(response.requestID == 12345)
        #expect(response.errorStatus == 0)
        #expect(response.bindings.count == 2)
        #expect(response.bindings.first?.oid == Self.ifOperStatus1)
        #expect(response.bindings.first?.value == .integer(2))
        #expect(response.bindings.last?.value == .unsigned(255))
    }

    @Test(
        "malformed datagrams are errors, never crashes",
        arguments: [
            [], [0x30], [0x30, 0x05, 0x02], [0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF], [0x30, 0x03, 0x02, 0x01, 0x00],
            [0x30, 0x02, 0x04, 0x00], [0x30, 0x80, 0x00, 0x00],
        ] as [[UInt8]])
    func malformed(bytes: [UInt8]) {
        #expect(throws: SNMPMessage.DecodingError.self) { try SNMPMessage.decodeResponse(bytes) }
    }
}
