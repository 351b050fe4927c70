import NadiCore
import Testing

@testable import NadiReports

@Suite("Console word catalog")
struct ConsoleCatalogTests {
    /// Every refusal code the console translates, as its catalog key.
    static let refusalKeys =
        MaintenanceProblem.Code.allCases.map { "problem_" + $0.rawValue } + CredentialProblem.allCases.map { "problem_" + $0.rawValue }
        + ChannelProblem.Code.allCases.map { "problem_" + $0.rawValue }

    @Test("every refusal code a console form can meet has its sentence in Indonesian and in English, and they differ")
    func refusalsInBothLanguages() {
        let indonesian = ConsoleCatalog.words(.id)
        let english = ConsoleCatalog.words(.en)
        for key in Self.refusalKeys {
            #expect(indonesian[key]?.isEmpty == false, "no Indonesian sentence for \(key)")
            #expect(english[key]?.isEmpty == false, "no English sentence for \(key)")
            #expect(indonesian[key] != english[key], "\(key) is not translated")
        }
    }

    @Test("both languages have the same keys")
    func sameKeys() {
        #expect(Set(ConsoleCatalog.words(.id).keys) == Set(ConsoleCatalog.words(.en).keys))
    }
}
