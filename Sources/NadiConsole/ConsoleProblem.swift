import NadiCore
import NadiReports
import NadiStore

/// Why a console form was refused, shown on the page the form came from (answered 422, never
/// carried in the URL, so no link can put words on a page): a word-catalog key, `problem_<key>`,
/// in the user's language, and — for what a parser shared with the CLI and the API said — its
/// text after it.
struct ConsoleProblem: Sendable, Equatable {
    /// The catalog key after `problem_`.
    var key: String
    /// What a shared parser or store said (English), shown after the translated sentence.
    var detail: String?

    init(_ key: String, detail: String? = nil) {
        self.key = key
        self.detail = detail
    }

    /// A console user store refusal, by its code.
    init(_ error: ConsoleUserError) { self.init(error.code.key) }

    /// The sentence in `language`.
    func text(_ language: MessageLanguage) -> String {
        let sentence = ConsoleCatalog.words(language)["problem_" + key] ?? key
        guard let detail else { return sentence }
        return sentence + ": " + detail
    }
}
