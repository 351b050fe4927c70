/// What a console user may do. Every role reads its region subtree.
package enum ConsoleRole: String, CaseIterable, Sendable, Codable, Comparable {
    /// Reads pages and downloads.
    case viewer
    /// Also plans maintenance windows and acknowledges incidents.
    case `operator`
    /// Also manages users and notification channels.
    case admin

    /// The allowed raw values, for error messages.
    package static var allowedValues: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// True when this role includes everything `other` may do.
    package func includes(_ other: ConsoleRole) -> Bool { self >= other }

    package static func < (lhs: ConsoleRole, rhs: ConsoleRole) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }
}

/// Why a console user name or password is refused: a stable code (`rawValue`, which the console's
/// word catalog translates) and an English description (what the CLI prints).
package enum CredentialProblem: String, Error, Sendable, CaseIterable, CustomStringConvertible {
    case nameLength = "name_length"
    case nameStart = "name_start"
    case nameCharacters = "name_characters"
    case passwordShort = "password_short"
    case passwordLong = "password_long"
    case passwordControl = "password_control"

    package var description: String {
        switch self {
        case .nameLength: "a user name has 1–64 characters"
        case .nameStart: "a user name starts with a letter or a digit"
        case .nameCharacters: "a user name may hold only letters, digits and . _ @ -"
        case .passwordShort: "a password has at least 10 characters"
        case .passwordLong: "a password has at most 72 bytes (bcrypt ignores the rest)"
        case .passwordControl: "a password cannot hold control characters"
        }
    }
}

/// The rules for console user names and passwords, checked before anything is stored.
package enum ConsoleCredentialRules {
    /// Why `name` cannot be a user name, or nil when it can: 1–64 letters, digits and `._@-`,
    /// starting with a letter or digit.
    package static func nameProblem(_ name: String) -> CredentialProblem? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-")
        guard let first = name.first, name.count <= 64 else { return .nameLength }
        guard first.isASCII, first.isLetter || first.isNumber else { return .nameStart }
        guard name.allSatisfy({ allowed.contains($0) }) else { return .nameCharacters }
        return nil
    }

    /// Why `password` is refused, or nil: at least 10 characters, at most 72 bytes (bcrypt reads no
    /// further), no control characters.
    package static func passwordProblem(_ password: String) -> CredentialProblem? {
        if password.count < 10 { return .passwordShort }
        if password.utf8.count > 72 { return .passwordLong }
        if password.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return .passwordControl }
        return nil
    }
}
