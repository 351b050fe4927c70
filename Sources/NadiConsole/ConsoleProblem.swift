import NadiCore
import NadiReports
import NadiStore

/// Why a console form was refused, shown on the page the form came from (answered 422, never
/// carried in the URL, so no link can put words on a page): a word-catalog key, `problem_<key>`,
/// in the user's language — the page's own refusals, or the code of a refusal shared with the CLI
/// and the API (`ConsoleUserError`, `MaintenanceProblem`, `ChannelProblem`).
struct ConsoleProblem: Sendable, Equatable {
    /// The catalog key after `problem_`.
    var key: String

    init(_ key: String) { self.key = key }

    /// A console user store refusal, by its code.
    init(_ error: ConsoleUserError) { self.init(error.code.key) }

    /// The sentence in `language`.
    func text(_ language: MessageLanguage) -> String {
        ConsoleCatalog.words(language)["problem_" + key] ?? key
    }
}
