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

/// The rules for console user names and passwords, checked before anything is stored.
package enum ConsoleCredentialRules {
    /// Why `name` cannot be a user name, or nil when it can: 1–64 letters, digits and `._@-`,
    /// starting with a letter or digit.
    package static func nameProblem(_ name: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-")
        guard let first = name.first, name.count <= 64 else { return "a user name has 1–64 characters" }
        guard first.isASCII, first.isLetter || first.isNumber else { return "a user name starts with a letter or a digit" }
        guard name.allSatisfy({ allowed.contains($0) }) else { return "a user name may hold only letters, digits and . _ @ -" }
        return nil
    }

    /// Why `password` is refused, or nil: at least 10 characters, at most 72 bytes (bcrypt reads no
    /// further), no control characters.
    package static func passwordProblem(_ password: String) -> String? {
        if password.count < 10 { return "a password has at least 10 characters" }
        if password.utf8.count > 72 { return "a password has at most 72 bytes (bcrypt ignores the rest)" }
        if password.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "a password cannot hold control characters"
        }
        return nil
    }
}
