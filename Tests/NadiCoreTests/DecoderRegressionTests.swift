import Foundation
import NadiCore
import Testing

@Suite("Decoder fuzz corpus and regressions")
struct DecoderRegressionTests {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    static func files(in folder: String) -> [URL] {
        let directory = fuzzDirectory.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0 != "README.md" }.sorted().map { directory.appendingPathComponent($0) }
    }

    @Test("every saved fuzz input (seeds and past crashers) goes through all decoders without a crash")
    func replay() throws {
        let files = Self.files(in: "corpus") + Self.files(in: "regressions")
        #expect(files.count >= 8, "the seed corpus is where the test expects it: \(Self.fuzzDirectory.path)")
        for file in files {
            DecoderFuzzHarness.exercise(try Data(contentsOf: file))
        }
    }

    @Test("the harness really decodes: the valid seeds come out valid")
    func seedsAreValid() throws {
        let corpus = Self.fuzzDirectory.appendingPathComponent("corpus")
        // Two pings as NDJSON (also readable as two devices? no: they lack id/kind, so only pings count).
        #expect(DecoderFuzzHarness.exercise(try Data(contentsOf: corpus.appendingPathComponent("pings.ndjson"))) == 2)
        // One valid ping of two (the other has a negative latency).
        #expect(DecoderFuzzHarness.exercise(try Data(contentsOf: corpus.appendingPathComponent("pings-array.json"))) == 1)
        #expect(DecoderFuzzHarness.exercise(try Data(contentsOf: corpus.appendingPathComponent("devices.json"))) == 2)
        #expect(DecoderFuzzHarness.exercise(try Data(contentsOf: corpus.appendingPathComponent("timestamp.txt"))) == 1)
        #expect(DecoderFuzzHarness.exercise(try Data(contentsOf: corpus.appendingPathComponent("region.txt"))) == 1)
        #expect(DecoderFuzzHarness.exercise(try Data(contentsOf: corpus.appendingPathComponent("snmp-response.bin"))) == 1)
    }
}
