import Foundation
import NadiCore
import Testing

/// What a client is told about bad JSON is said in its words, never in Swift's.
@Suite("Errors in the user's words")
struct ErrorWordsTests {
    static let ping = #"{"device":"A","at":"2026-11-22T10:00:00Z","status":"up""#

    @Test(
        "numbers out of range, raw NULs, lone surrogates and syntax errors are explained, in both decoders",
        arguments: [
            (ping + #","latency_ms":1e-400}"#, "out of range"), (ping + #","latency_ms":1e999}"#, "out of range"),
            (#"{"device":"A\#u{0}","at":"2026-11-22T10:00:00Z","status":"up"}"#, "raw NUL"),
            (#"{"device":"A\ud800","at":"2026-11-22T10:00:00Z","status":"up"}"#, "lone UTF-16 surrogate"),
            (ping + #","metrics":{"x":1e999}}"#, "out of range"), (ping + #","metrics":{"x":"a\#u{0}"}}"#, "raw NUL"),
            (ping + #","metrics":{"x":"\ud800"}}"#, "lone UTF-16 surrogate"), (ping + #","metrics":{"x":"a\#u{1}"}}"#, "control character"),
        ])
    func recordErrors(_ pair: (String, String)) throws {
        let (record, words) = pair
        for results in [try BatchDecoder.decodePingArray(Data("[\(record)]".utf8)), BatchDecoder.decodePingLines(Data(record.utf8))] {
            guard case .failure(let problem)? = results.first else {
                Issue.record("accepted: \(record)")
                continue
            }
            #expect(problem.description.contains(words), "\(problem)")
            for swift in ["Swift", "numberIsNot", "couldNotCreate", "FoundationEssentials", "SourceLocation", "ascii:"] {
                #expect(!problem.description.contains(swift), "\(problem)")
            }
        }
    }

    @Test("a body that is not JSON says where")
    func syntax() {
        do {
            _ = try BatchDecoder.decodePingArray(Data((#"[{"device":"A" "at":1}]"#).utf8))
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("around character 15"), "\(error)")
        }
    }
}
