import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

/// The console's session, CSRF and error middleware, through a real socket, with the database
/// made to fail underneath a signed-in user.
@Suite("Console middleware")
struct ConsoleMiddlewareTests {
    static let unavailable = "Basis data sedang tidak tersedia"

    @Test(
        "a session that cannot be looked up gives the 503 page to a page and to a form (nothing stored); a page whose query fails gives the 503 page with the user's navigation; a lang choice is remembered on it"
    )
    func failuresArePages() async throws {
        try await NadiTestApp.run { app, http, db in
            try await ConsoleFixtures.seed(http, app, db)
            var browser = ConsoleSessionClient()
            #expect(try await browser.login(http, name: "ops-plg", password: ConsoleFixtures.password).status == .seeOther)
            let device = String(buffer: try await browser.get(http, "/devices/PLG-FO-1").body)
            let token = try #require(ConsoleSessionClient.hidden("csrf", in: device))
            let form = ["csrf": token, "device": "PLG-FO-1", "from": "2030-03-01 22:00", "to": "2030-03-02 02:00", "reason": "uji"]

            _ = try await db.query("ALTER TABLE console_session RENAME TO console_session_away")
            let page = try await browser.get(http, "/devices")
            #expect(page.status == .serviceUnavailable)
            #expect(String(buffer: page.body).contains(Self.unavailable), "\(String(buffer: page.body).prefix(400))")
            let post = try await browser.post(http, "/maintenance", form: form)
            #expect(post.status == .serviceUnavailable, "a form whose session cannot be looked up: \(post.status)")
            #expect(String(buffer: post.body).contains(Self.unavailable))
            _ = try await db.query("ALTER TABLE console_session_away RENAME TO console_session")
            #expect(try await TestClient.scalar(db, "SELECT count(*)::int8 FROM maintenance_window", as: Int.self) == 0)

            _ = try await db.query("ALTER TABLE device_state RENAME TO device_state_away")
            let overview = try await browser.get(http, "/?lang=en")
            let html = String(buffer: overview.body)
            #expect(overview.status == .serviceUnavailable)
            #expect(html.contains("The database is unavailable"), "\(html.prefix(400))")
            #expect(html.contains("ops-plg") && html.contains("Devices"), "the signed-in user's navigation on the error page")
            #expect(overview.headers[values: .setCookie].contains { $0.hasPrefix("nadi_lang=en") }, "the language choice is kept")
            _ = try await db.query("ALTER TABLE device_state_away RENAME TO device_state")

            #expect(try await browser.get(http, "/").status == .ok, "pages answer again once the database does")
            #expect(try await browser.post(http, "/maintenance", form: form).status == .seeOther)
        }
    }

    @Test("a form post without a session is refused with the 403 page; a page without one redirects to the login, which comes back to it")
    func noSession() async throws {
        try await NadiTestApp.run { app, http, db in
            try await ConsoleFixtures.seed(http, app, db)
            var stranger = ConsoleSessionClient()
            let post = try await stranger.post(http, "/admin/users", form: ["csrf": "x", "name": "intruder"])
            #expect(post.status == .forbidden)
            #expect(String(buffer: post.body).contains("Tidak diizinkan"))
            let page = try await stranger.get(http, "/riwayat?object=maintenance")
            #expect(page.status == .seeOther)
            #expect(page.headers[.location] == "/login?next=%2Friwayat%3Fobject%3Dmaintenance")
        }
    }
}
