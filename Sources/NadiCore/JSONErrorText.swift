import Foundation

/// Foundation's JSON parser errors in the words of the person who sent the JSON.
///
/// Foundation reports them as an internal enum whose description is Swift
/// (`numberIsNotRepresentableInSwift(parsed: "1e999")`); the enum is not public, so its cases are
/// read from that description. An error that is not one of them gives nil.
package enum JSONErrorText {
    /// What is wrong, with the line and column when the parser says, or nil.
    package static func words(for error: any Error) -> String? {
        let text = String(describing: error)
        let open = text.firstIndex(of: "(") ?? text.endIndex
        let name = String(text[..<open])
        let place = location(text).map { " (line \($0.line), column \($0.column))" } ?? ""
        switch name {
        case "numberIsNotRepresentableInSwift":
            let number = quoted(text, after: "parsed: ").map { "the number \($0)" } ?? "a number"
            return
                "\(number) is out of range: a 64-bit float holds magnitudes up to about 1.8e308 and, other than 0, down to about 2.2e-308"
        case "unescapedControlCharacterInString":
            let code = integer(text, after: "ascii: ") ?? 0
            return code == 0
                ? "a string holds a raw NUL character, which JSON does not allow and Nadi cannot store\(place)"
                : "a string holds a raw control character (code \(code)); write it escaped (\\n, \\t or \\u00XX)\(place)"
        case "expectedLowSurrogateUTF8SequenceAfterHighSurrogate", "couldNotCreateUnicodeScalarFromUInt32":
            return "a string holds a lone UTF-16 surrogate (an escape such as \\ud800 without its pair), which is no character\(place)"
        case "unexpectedCharacter":
            let code = integer(text, after: "ascii: ").flatMap { Unicode.Scalar(UInt8(clamping: $0)) }
            return "unexpected character \(code.map { "'\(Character($0))'" } ?? "")\(place)"
        case "unexpectedEndOfFile":
            return "the JSON ends before it is complete\(place)"
        case "numberWithLeadingZero":
            return "a number starts with a zero (JSON writes 7, not 07)\(place)"
        case "unexpectedEscapedCharacter":
            return "a string holds an escape JSON does not know (use \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX)\(place)"
        case "invalidHexDigitSequence":
            return "a \\u escape needs four hex digits\(place)"
        case "tooManyNestedArraysOrDictionaries":
            return "arrays and objects nest too deeply\(place)"
        case "cannotConvertInputDataToUTF8", "invalidUTF8Sequence":
            return "the text is not valid UTF-8\(place)"
        case "singleFragmentFoundButNotAllowed":
            return "a single value where an object was expected\(place)"
        default:
            return nil
        }
    }

    static func location(_ text: String) -> (line: Int, column: Int)? {
        guard let line = integer(text, after: "line: "), let column = integer(text, after: "column: ") else { return nil }
        return (line, column)
    }

    static func integer(_ text: String, after label: String) -> Int? {
        guard let range = text.range(of: label) else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }

    static func quoted(_ text: String, after label: String) -> String? {
        guard let range = text.range(of: label + "\"") else { return nil }
        let value = text[range.upperBound...].prefix { $0 != "\"" }
        return String(value.prefix(40))
    }
}
