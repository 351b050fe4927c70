import Foundation
import HTTPTypes
package import Hummingbird
package import Logging
import NIOCore
import NadiCore
import NadiReports
package import NadiStore

/// The web console at `/`: login, the pages of ops, planners and the education office, and (with
/// `--public-schools`) the public school pages. Every page is limited to the user's region
/// subtree; a device or region outside it answers 404, as if it did not exist.
package struct ConsoleController: Sendable {
    let configuration: ConsoleConfiguration
    let renderer: ConsoleRenderer
    let client: DatabaseClient
    let logger: Logger
    let users: ConsoleUserStore
    let sessions: ConsoleSessionStore
    let limiter: LoginLimiter
    let addressLimiter: LoginLimiter
    let passwords: PasswordChecker
    let publicLimiter: PublicPageLimiter
    let time: LocalTime

    /// - Parameter passwords: where password checks run; run it as a service of the application.
    package init(
        configuration: ConsoleConfiguration, renderer: ConsoleRenderer, client: DatabaseClient, passwords: PasswordChecker, logger: Logger
    ) {
        self.configuration = configuration
        self.renderer = renderer
        self.client = client
        self.logger = logger
        self.users = ConsoleUserStore(client: client, logger: logger)
        self.sessions = ConsoleSessionStore(client: client, logger: logger)
        self.limiter = LoginLimiter(attempts: configuration.loginAttempts, lockout: configuration.loginLockout)
        self.addressLimiter = LoginLimiter(attempts: configuration.loginAttemptsPerAddress, lockout: configuration.loginLockout)
        self.passwords = passwords
        self.publicLimiter = PublicPageLimiter(
            perSecond: configuration.publicPagesPerSecond, perVisitor: configuration.publicPagesPerVisitor)
        self.time = LocalTime(zone: configuration.timeZone)
    }

    /// A 404 in the API's shape (`{"error": …}`), for files that are not there.
    static func notFoundJSON(_ message: String) -> Response {
        let body = (try? JSONSerialization.data(withJSONObject: ["error": message])) ?? Data(#"{"error":"not found"}"#.utf8)
        return Response(
            status: .notFound, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static let sessionCookie = "nadi_session"
    static let loginCookie = "nadi_login"

    /// The console's routes on `router`: static files and the login form as they are; pages behind
    /// a session (`ConsoleSessionMiddleware`) with failures as pages (`ConsolePageMiddleware`);
    /// form posts behind a session and its CSRF token (`ConsoleCSRFMiddleware`); the public school
    /// pages (with `--public-schools`) behind a per-visitor limit (`PublicPageRateLimit`).
    package func addRoutes<Context: ConsoleRequestContext>(to router: Router<Context>) {
        router.get("/static/:file") { _, context in
            let name = try context.parameters.require("file")
            return renderer.staticFile(name) ?? Self.notFoundJSON("no static file '\(name.prefix(64))'")
        }
        // Browsers ask for /favicon.ico whatever the page says.
        router.get("/favicon.ico") { _, _ in renderer.staticFile("favicon.svg") ?? Self.notFoundJSON("no favicon") }
        router.get("/login") { request, _ in loginPage(request, message: nil) }
        router.post("/login") { request, context in try await login(request, from: visitor(request, context.remoteAddress)) }

        let pages = router.group()
            .add(middleware: ConsoleSessionMiddleware(console: self, missing: .redirectToLogin))
            .add(middleware: ConsolePageMiddleware(console: self))
        pages.get("/") { request, context in try await overview(PageContext(request, context)) }
        pages.get("/devices") { request, context in try await devices(PageContext(request, context)) }
        pages.get("/devices.csv") { request, context in try await devicesCSV(PageContext(request, context)) }
        pages.get("/devices/:id") { request, context in
            let raw = try context.parameters.require("id")
            return try await device(raw.removingPercentEncoding ?? raw, PageContext(request, context))
        }
        pages.get("/admin") { request, context in try await admin(PageContext(request, context)) }
        pages.get("/coverage") { request, context in try await coverage(PageContext(request, context)) }
        pages.get("/uptime") { request, context in try await uptime(PageContext(request, context)) }
        pages.get("/laporan/bulanan") { request, context in try await monthlyReportDownload(PageContext(request, context)) }
        pages.get("/schools") { request, context in try await schools(PageContext(request, context)) }
        pages.get("/riwayat") { request, context in try await auditPage(PageContext(request, context)) }
        pages.get("/schools.csv") { request, context in try await schoolsDownload(PageContext(request, context), geojson: false) }
        pages.get("/schools.geojson") { request, context in try await schoolsDownload(PageContext(request, context), geojson: true) }

        let forms = router.group()
            .add(middleware: ConsoleSessionMiddleware(console: self, missing: .forbid))
            .add(middleware: ConsoleCSRFMiddleware(console: self))
            .add(middleware: ConsolePageMiddleware(console: self))
        forms.post("/logout") { request, context in try await logout(request, context) }
        forms.post("/incidents/ack") { request, context in try await acknowledge(PageContext(request, context), context.console.form) }
        forms.post("/maintenance") { request, context in try await addMaintenance(PageContext(request, context), context.console.form) }
        forms.post("/admin/users") { request, context in try await adminCreateUser(PageContext(request, context), context.console.form) }
        forms.post("/admin/users/disable") { request, context in
            try await adminChangeUser(PageContext(request, context), context.console.form, disable: true)
        }
        forms.post("/admin/users/password") { request, context in
            try await adminChangeUser(PageContext(request, context), context.console.form, disable: false)
        }
        forms.post("/admin/channels") { request, context in try await adminAddChannel(PageContext(request, context), context.console.form) }
        forms.post("/admin/channels/remove") { request, context in
            try await adminRemoveChannel(PageContext(request, context), context.console.form)
        }

        guard configuration.publicSchools else { return }
        let publicPages = router.group()
            .add(middleware: PublicPageRateLimit(console: self))
            .add(middleware: ConsolePageMiddleware(console: self))
        publicPages.get("/sekolah") { request, context in try await publicSearch(PageContext(request, context)) }
        publicPages.get("/sekolah/:npsn") { request, context in
            try await publicSchool(try context.parameters.require("npsn"), PageContext(request, context))
        }
    }

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    /// Who is asking, for the per-address limits: the peer's address, or — when the peer is one of
    /// the configured trusted proxies — the address that proxy appended to `X-Forwarded-For` (the
    /// last hop: what the client wrote before it is the client's to choose).
    func visitor(_ request: Request, _ peer: SocketAddress?) -> String? {
        Self.visitor(request, peer, trusting: configuration.trustedProxies)
    }

    package static func visitor(_ request: Request, _ peer: SocketAddress?, trusting proxies: Set<String>) -> String? {
        let address = peer?.ipAddress.map { $0.hasPrefix("::ffff:") ? String($0.dropFirst(7)) : $0 }
        if let address, proxies.contains(address), let forwarded = request.headers[Self.forwardedFor],
            let last = forwarded.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty
        {
            return String(last.prefix(64))
        }
        return address
    }

    /// `Secure` cookies when the request came over TLS (directly or through a proxy that says so).
    func isSecure(_ request: Request) -> Bool {
        request.uri.scheme?.rawValue == "https" || request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    func languageCookie(_ language: MessageLanguage, _ request: Request) -> Cookie {
        Cookie(
            name: "nadi_lang", value: language.rawValue, maxAge: 365 * 86400, path: "/", secure: isSecure(request), httpOnly: true,
            sameSite: .strict)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    // MARK: Rendering

    /// What every page's layout needs: words, the user, navigation, CSRF token, language switch.
    func common(_ context: PageContext, title: String, active: String? = nil) -> [String: Any] {
        let words = ConsoleCatalog.words(context.language)
        var page: [String: Any] = [
            "t": words, "lang": context.language.rawValue, "title": words[title] ?? title, "zone": time.zoneName,
            "lang_url": context.url(["lang": context.language == .id ? "en" : "id"]),
        ]
        if let session = context.session {
            page["user"] = ["name": session.user.name, "role": session.user.role.rawValue, "region": session.user.region?.rawValue ?? "ID"]
            page["csrf"] = session.csrf
            page["nav"] =
                ([
                    ("/", "nav_overview"), ("/devices", "nav_devices"), ("/coverage", "nav_coverage"), ("/uptime", "nav_uptime"),
                    ("/schools", "nav_schools"),
                ] + (session.user.role == .admin ? [("/riwayat", "nav_audit"), ("/admin", "nav_admin")] : [])).map {
                    path, key -> [String: Any] in
                    ["href": path, "label": words[key] ?? key, "active": path == active]
                }
        }
        return page
    }

    func errorPage(_ context: PageContext, status: HTTPResponse.Status, key: String) -> Response {
        var page = common(context, title: status == .notFound ? "not_found" : status == .forbidden ? "forbidden" : "error")
        page["message"] = ConsoleCatalog.words(context.language)[key] ?? key
        page["status"] = status.code
        return renderer.page("error", page, status: status)
    }

    func minutes(_ date: Date?) -> String {
        guard let date else { return "–" }
        return time.minutes(date) + " " + time.zoneName
    }
}

/// Thrown by a page whose subject does not exist or lies outside the user's region.
struct PageNotFound: Error {}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
