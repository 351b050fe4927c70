package import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NadiStore

/// The console's Mustache templates and static files, read once at start-up. Every `{{value}}` is
/// HTML-escaped by Mustache; only SVG the console builds itself (``SVGChart``) goes in `{{{…}}}`.
package struct ConsoleRenderer: Sendable {
    let library: MustacheLibrary
    let statics: [String: (body: String, contentType: String)]

    /// Reads the templates from `directory` (default: where ``ResourceLocator`` finds them).
    package init(directory: URL? = nil) throws {
        let directory = try directory ?? ResourceLocator.templateDirectory()
        var library = MustacheLibrary()
        var statics: [String: (String, String)] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() {
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            if name.hasSuffix(".mustache") {
                try library.register(text, named: String(name.dropLast(".mustache".count)))
            } else if name.hasSuffix(".css") {
                statics[name] = (text, "text/css; charset=utf-8")
            } else if name.hasSuffix(".svg") {
                statics[name] = (text, "image/svg+xml")
            } else if name.hasSuffix(".js") {
                statics[name] = (text, "text/javascript; charset=utf-8")
            }
        }
        guard library.getTemplate(named: "layout") != nil else {
            throw ConsoleError("the console templates in \(directory.path) have no layout.mustache")
        }
        self.library = library
        self.statics = statics
    }

    /// `template` rendered with `context` as an HTML page.
    func page(_ template: String, _ context: [String: Any], status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:])
        -> Response
    {
        let html = html(template, context)
        var headers = Self.securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        for field in extra { headers.append(field) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The HTML of `template` with `context`.
    func html(_ template: String, _ context: [String: Any]) -> String {
        library.render(Self.withFlags(context), withTemplate: template)
            ?? "<!doctype html><title>Nadi</title><p>template \(template) missing"
    }

    /// `context` made safe for Mustache, at any depth of dictionaries and lists: empty strings and
    /// absent optionals are dropped (Mustache would take them for true: "up ()", "acknowledged by
    /// ,"), present optionals unwrapped, and `has_<key>` set for every list, so a template can show
    /// a table only when it has rows.
    static func withFlags(_ context: [String: Any]) -> [String: Any] {
        var flagged: [String: Any] = [:]
        for (key, raw) in context {
            guard let value = present(raw) else { continue }
            if let list = value as? [Any] {
                flagged["has_" + key] = !list.isEmpty
                flagged[key] = list.compactMap { element -> Any? in
                    guard let element = present(element) else { return nil }
                    return (element as? [String: Any]).map(withFlags) ?? element
                }
            } else if let nested = value as? [String: Any] {
                flagged[key] = withFlags(nested)
            } else {
                flagged[key] = value
            }
        }
        return flagged
    }

    /// The value inside an optional, nil for an absent one or an empty string.
    static func present(_ value: Any) -> Any? {
        switch value {
        case let text as String: return text.isEmpty ? nil : text
        case is Int, is Double, is Bool, is [String: Any], is [Any]: return value
        default: break
        }
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let inner = mirror.children.first?.value else { return nil }
            return present(inner)
        }
        if let text = value as? String, text.isEmpty { return nil }
        return value
    }

    /// A static file (`console.css`, `console.js`), cacheable for an hour.
    func staticFile(_ name: String) -> Response? {
        guard let file = statics[name] else { return nil }
        var headers = Self.securityHeaders
        headers[.contentType] = file.contentType
        headers[.cacheControl] = "public, max-age=3600"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: file.body)))
    }

    /// No inline scripts, no third-party anything, no framing.
    static let securityHeaders: HTTPFields = [
        HTTPField.Name("Content-Security-Policy")!:
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "same-origin",
    ]
}

/// A console that cannot start, with the reason.
package struct ConsoleError: Error, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}
