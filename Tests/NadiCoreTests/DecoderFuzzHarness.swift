// The code both the libFuzzer target (Deploy/fuzz.sh, built with -D NADI_FUZZ next to NadiCore's
// sources) and the regression test (every file in Tests/Fuzz) run over an input.
import Foundation

#if !NADI_FUZZ
    import NadiCore
#endif

enum DecoderFuzzHarness {
    static let receivedAt = Date(timeIntervalSince1970: 1_800_000_000)

    /// Runs `data` through every decoder an HTTP body or import meets: pings, devices and sites as a
    /// JSON array and as NDJSON, each decoded record through its validation; the text as a timestamp
    /// and a region code, the bytes as an SNMP response datagram. Returns how many records came out valid (so nothing is optimised away).
    @discardableResult
    static func exercise(_ data: Data) -> Int {
        var valid = 0
        func count<Input, Record>(_ results: [Result<Input, DecodeProblem>], _ validate: (Input) -> Result<Record, DecodeProblem>) {
            for result in results {
                if case .success = result.flatMap(validate) { valid += 1 }
            }
        }
        let ping = { (input: PingInput) in RecordValidation.ping(input, receivedAt: receivedAt, retention: 90 * 86_400) }
        count(BatchDecoder.decodeLines(PingInput.self, data), ping)
        count(BatchDecoder.decodeLines(DeviceInput.self, data), RecordValidation.device)
        count(BatchDecoder.decodeLines(SiteInput.self, data), RecordValidation.site)
        if let results = try? BatchDecoder.decodeArray(PingInput.self, data) { count(results, ping) }
        if let results = try? BatchDecoder.decodeArray(DeviceInput.self, data) { count(results, RecordValidation.device) }
        if let results = try? BatchDecoder.decodeArray(SiteInput.self, data) { count(results, RecordValidation.site) }
        let text = String(decoding: data.prefix(256), as: UTF8.self)
        if Timestamp.parseMicroseconds(text) != nil { valid += 1 }
        if RegionCode(text) != nil { valid += 1 }
        if (try? SNMPMessage.decodeResponse(Array(data.prefix(4096)))) != nil { valid += 1 }
        return valid
    }
}

#if NADI_FUZZ
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzDecoders(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
        DecoderFuzzHarness.exercise(Data(bytes: bytes, count: count))
        return 0
    }
#endif
