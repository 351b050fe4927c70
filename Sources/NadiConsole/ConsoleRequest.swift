import Foundation
import Hummingbird
import NadiCore
import NadiReports
import NadiStore

/// What every console page knows about the request it answers.
struct PageContext {
    var language: MessageLanguage
    var session: ConsoleSession?
    var path: String
    var query: [String: String]
    /// A `lang` query parameter that should be remembered in a cookie.
    var chosenLanguage: MessageLanguage?

    /// This request answered as the page at `path` without a query: a refused form is answered at
    /// its own URL, but the links on the page it shows are that page's.
    func answering(for path: String) -> PageContext {
        var page = self
        (page.path, page.query) = (path, [:])
        return page
    }

    /// `key` from the query string, trimmed; nil when absent or empty.
    func parameter(_ key: String) -> String? {
        guard let value = query[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    /// The current URL with `changes` applied to its query (nil removes a key).
    func url(_ changes: [String: String?] = [:], path: String? = nil) -> String {
        var query = self.query
        query["lang"] = nil
        for (key, value) in changes { query[key] = value }
        let items = query.sorted { $0.key < $1.key }.map { key, value in
            "\(Self.encode(key))=\(Self.encode(value))"
        }
        return (path ?? self.path) + (items.isEmpty ? "" : "?" + items.joined(separator: "&"))
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// Reads the language (query `lang`, cookie `nadi_lang`, `Accept-Language`, Indonesian) and the query.
    init(_ request: Request, session: ConsoleSession?) {
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters {
            let key = String(key).removingPercentEncoding ?? String(key)
            query[key] = (String(value).replacingOccurrences(of: "+", with: " ")).removingPercentEncoding ?? String(value)
        }
        self.query = query
        self.session = session
        self.path = request.uri.path
        if let chosen = query["lang"].flatMap(MessageLanguage.init(rawValue:)) {
            language = chosen
            chosenLanguage = chosen
        } else if let remembered = request.cookies["nadi_lang"].flatMap({ MessageLanguage(rawValue: $0.value) }) {
            language = remembered
        } else {
            let accept = request.headers[.acceptLanguage]?.lowercased() ?? ""
            let firstTag = accept.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            language = firstTag.hasPrefix("en") ? .en : .id
        }
    }

    /// The region the page shows: `region` from the query when it lies in the user's subtree,
    /// else the user's own region. Nil `allowed` means the request named a region outside it.
    func region(ceiling: RegionCode?) -> (region: RegionCode?, allowed: Bool) {
        guard let text = parameter("region") else { return (ceiling, true) }
        guard let asked = RegionCode(text) else { return (ceiling, false) }
        if let ceiling, !asked.isWithin(ceiling) { return (ceiling, false) }
        return (asked, true)
    }
}

/// URL-encoded form bodies (`application/x-www-form-urlencoded`), as the console's forms send them.
enum FormBody {
    static func parse(_ request: Request) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: 64 << 10)
        let text = String(buffer: buffer)
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            let value = parts.count > 1 ? String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" : ""
            fields[key] = value
        }
        return fields
    }
}
