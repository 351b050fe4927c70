import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NadiCore
import NadiServer
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Prometheus
import Testing

@Suite("Web console over HTTP")
struct ConsoleTests {
    static func publicSchools(_ configuration: inout ServerConfiguration) { configuration.publicSchools = true }

    @Test("login through the form, every page answers 200 in Indonesian, a second nadid honours the session, disabling ends it")
    func loginPagesAndSessions() async throws {
        try await NadiTestApp.run(configure: Self.publicSchools) { app, http, db in
            try await ConsoleFixtures.seed(http, app, db)
            var browser = ConsoleSessionClient()
            let anonymous = try await browser.get(http, "/devices")
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.headers[.location]?.hasPrefix("/login?next=") == true)
            let login = try await browser.login(http, name: "ops-plg", password: ConsoleFixtures.password)
            #expect(login.status == .seeOther)
            let setCookie = login.headers[values: .setCookie].first { $0.hasPrefix("nadi_session=") } ?? ""
            #expect(setCookie.contains("HttpOnly"), "\(setCookie)")
            #expect(setCookie.contains("SameSite=Strict"), "\(setCookie)")
            #expect(!setCookie.contains("Secure"), "no Secure cookie over plain HTTP")
            for (path, marker) in [
                ("/", "Gangguan terbuka"), ("/devices", "PLG-CCTV-PUB"), ("/devices/PLG-FO-1", "Riwayat status"),
                ("/coverage", "Lintasan pemasangan"), ("/coverage?region=16.71.01", "16.71.01"), ("/uptime", "Menurut wilayah"),
                ("/schools", "Peta sekolah"), ("/devices/PLG-CCTV-PUB?window=7d", "<svg class=\"timeline\""),
            ] {
                let page = try await browser.get(http, path)
                let html = String(buffer: page.body)
                #expect(page.status == .ok, "\(path): \(page.status)")
                #expect(html.contains(marker), "\(path) lacks \(marker)")
                #expect(html.contains("WIB"), "\(path) names the zone")
                #expect(page.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("script-src 'self'") == true)
            }
            // The same session on a second nadid over the same database (a restart, or a second host).
            let cookie = try #require(browser.cookies["nadi_session"])
            try await Self.secondDaemon(app.url) { second in
                let page = try await second.execute(uri: "/", method: .get, headers: [.cookie: "nadi_session=\(cookie)"])
                #expect(page.status == .ok)
                #expect(String(buffer: page.body).contains("ops-plg"))
            }
            #expect(try await ConsoleUserStore(client: db, logger: TestCluster.quietLogger).disable(name: "ops-plg"))
            let after = try await browser.get(http, "/")
            #expect(after.status == .seeOther, "a disabled user's session ends at once")
            let again = try await browser.login(http, name: "ops-plg", password: ConsoleFixtures.password)
            #expect(again.status == .unauthorized, "a disabled user cannot log in")
        }
    }

    /// A second nadid on the same database, reached through its own socket.
    static func secondDaemon(_ url: DatabaseURL, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.notify = false
        configuration.pollDevices = false
        var clientConfiguration = try url.clientConfiguration()
        clientConfiguration.options.maximumConnections = 2
        let client = DatabaseClient(configuration: clientConfiguration, backgroundLogger: TestCluster.quietLogger)
        let app = try buildApplication(
            configuration: configuration, client: client, registry: PrometheusCollectorRegistry(), logger: TestCluster.quietLogger)
        try await app.test(.live) { http in try await body(http) }
    }

    @Test("a 16.71 viewer gets 404 for 16.01 pages and sees no 16.01 row in lists or downloads; viewers cannot plan maintenance")
    func regionScope() async throws {
        try await NadiTestApp.run { app, http, db in
            try await ConsoleFixtures.seed(http, app, db)
            var viewer = ConsoleSessionClient()
            #expect(try await viewer.login(http, name: "viewer-plg", password: ConsoleFixtures.password).status == .seeOther)
            for path in [
                "/devices/OKU-VT-1", "/devices/OKU-CCTV-1", "/coverage?region=16.01", "/devices?region=16.01.07", "/schools?region=16",
                "/devices.csv?region=16.01", "/uptime?region=16.01.07",
            ] {
                #expect(try await viewer.get(http, path).status == .notFound, "\(path)")
            }
            for path in ["/", "/devices", "/devices.csv", "/coverage", "/uptime", "/schools", "/schools.csv", "/schools.geojson"] {
                let body = String(buffer: try await viewer.get(http, path).body)
                #expect(!body.contains("OKU-"), "\(path) shows a 16.01 device")
                // A region code, not the digits of a time such as 09:27:16.017.
                #expect(body.range(of: #"(?<![0-9.:])16\.01(?![0-9])"#, options: .regularExpression) == nil, "\(path) shows a 16.01 region")
                #expect(!body.contains("BATURAJA"), "\(path) shows a 16.01 school")
            }
            let device = String(buffer: try await viewer.get(http, "/devices/PLG-FO-1").body)
            #expect(!device.contains("maintenance-form"), "a viewer gets no maintenance form")
            let csrf = try #require(ConsoleSessionClient.hidden("csrf", in: device))
            let refused = try await viewer.post(
                http, "/maintenance",
                form: ["csrf": csrf, "device": "PLG-FO-1", "from": "2030-01-01 22:00", "to": "2030-01-02 01:00", "reason": "x"])
            #expect(refused.status == .forbidden)
            var admin = ConsoleSessionClient()
            #expect(try await admin.login(http, name: "admin", password: ConsoleFixtures.password).status == .seeOther)
            #expect(String(buffer: try await admin.get(http, "/devices").body).contains("OKU-VT-1"), "an all-Indonesia admin sees 16.01")
        }
    }

    @Test("forms without the CSRF token are refused (login, logout, maintenance); with it an operator plans maintenance")
    func csrf() async throws {
        try await NadiTestApp.run { app, http, db in
            try await ConsoleFixtures.seed(http, app, db)
            var browser = ConsoleSessionClient()
            _ = try await browser.get(http, "/login")
            let noToken = try await browser.post(
                http, "/login", form: ["name": "ops-plg", "password": ConsoleFixtures.password])
            #expect(noToken.status == .forbidden, "a login post without the form's token")
            #expect(try await browser.login(http, name: "ops-plg", password: ConsoleFixtures.password).status == .seeOther)
            let form = ["device": "PLG-FO-1", "from": "2030-03-01 22:00", "to": "2030-03-02 02:00", "reason": "penyambungan"]
            #expect(try await browser.post(http, "/maintenance", form: form).status == .forbidden)
            var wrong = form
            wrong["csrf"] = "not-the-token"
            #expect(try await browser.post(http, "/maintenance", form: wrong).status == .forbidden)
            #expect(try await browser.post(http, "/logout", form: [:]).status == .forbidden)
            #expect(try await TestClient.scalar(db, "SELECT count(*)::int8 FROM maintenance_window", as: Int.self) == 0)
            let page = String(buffer: try await browser.get(http, "/devices/PLG-FO-1").body)
            let token = try #require(ConsoleSessionClient.hidden("csrf", in: page))
            var good = form
            good["csrf"] = token
            let planned = try await browser.post(http, "/maintenance", form: good)
            #expect(planned.status == .seeOther)
            #expect(planned.headers[.location] == "/devices/PLG-FO-1?saved=1")
            #expect(
                try await TestClient.scalar(db, "SELECT created_by FROM maintenance_window", as: String.self) == "console:ops-plg")
            let out = try await browser.post(http, "/logout", form: ["csrf": token])
            #expect(out.status == .seeOther)
            #expect(try await browser.get(http, "/").status == .seeOther, "logged out")
        }
    }

    @Test(
        "admins manage users and alert channels from the console (CSRF, within their region); others get 404 and 403"
    )
    func adminPages() async throws {
        try await NadiTestApp.run { app, http, db in
            try await ConsoleFixtures.seed(http, app, db)
            var ops = ConsoleSessionClient()
            _ = try await ops.login(http, name: "ops-plg", password: ConsoleFixtures.password)
            #expect(try await ops.get(http, "/admin").status == .notFound, "an operator has no admin page")
            #expect(!String(buffer: try await ops.get(http, "/").body).contains("href=\"/admin\""), "nor a link to it")
            let opsToken = try #require(ConsoleSessionClient.hidden("csrf", in: String(buffer: try await ops.get(http, "/").body)))
            let sneaky = try await ops.post(
                http, "/admin/users",
                form: [
                    "csrf": opsToken, "name": "sneaky", "role": "admin", "password": "x9-very-long-pass", "password2": "x9-very-long-pass",
                ])
            #expect(sneaky.status == .forbidden)

            var admin = ConsoleSessionClient()
            _ = try await admin.login(http, name: "admin", password: ConsoleFixtures.password)
            let page = String(buffer: try await admin.get(http, "/admin").body)
            #expect(page.contains("Pengguna konsol") && page.contains("ops-plg") && page.contains("viewer-plg"))
            let token = try #require(ConsoleSessionClient.hidden("csrf", in: page))
            let user = [
                "name": "admin-plg", "region": "16.71", "role": "admin", "password": "kota-palembang-1", "password2": "kota-palembang-1",
            ]
            #expect(try await admin.post(http, "/admin/users", form: user).status == .forbidden, "no CSRF token")
            var withToken = user
            withToken["csrf"] = token
            let created = try await admin.post(http, "/admin/users", form: withToken)
            #expect(created.headers[.location] == "/admin?saved=user")
            let channel = [
                "csrf": token, "name": "ops-plg-tg", "type": "telegram", "chat": "-1001234567890", "secret": "123456:SECRET-bot-token",
                "region": "16.71", "kind_cctv": "on", "min_down": "10m", "lang": "id",
            ]
            #expect(try await admin.post(http, "/admin/channels", form: channel).headers[.location] == "/admin?saved=channel")
            var national = channel
            national["name"] = "nasional"
            national["region"] = ""
            _ = try await admin.post(http, "/admin/channels", form: national)
            let listed = String(buffer: try await admin.get(http, "/admin").body)
            #expect(listed.contains("ops-plg-tg") && listed.contains("admin-plg") && listed.contains("nasional"))
            #expect(listed.contains("<td>admin</td><td>ID</td>"), "the national admin's own row")
            #expect(!listed.contains("SECRET-bot-token"), "a channel's secret is never shown")

            // A kota admin sees and manages only 16.71.
            var local = ConsoleSessionClient()
            #expect(try await local.login(http, name: "admin-plg", password: "kota-palembang-1").status == .seeOther)
            let localPage = String(buffer: try await local.get(http, "/admin").body)
            #expect(localPage.contains("ops-plg-tg") && localPage.contains("viewer-plg"))
            #expect(!localPage.contains("nasional") && !localPage.contains("<td>admin</td><td>ID</td>"), "nothing above 16.71")
            let localToken = try #require(ConsoleSessionClient.hidden("csrf", in: localPage))
            let outside = try await local.post(
                http, "/admin/users",
                form: [
                    "csrf": localToken, "name": "oku-ops", "region": "16.01", "role": "operator", "password": "ogan-komering-1",
                    "password2": "ogan-komering-1",
                ])
            #expect(outside.status == .unprocessableContent, "a user outside 16.71 is refused")
            #expect(String(buffer: outside.body).contains("Anda hanya mengelola wilayah Anda dan wilayah di bawahnya."))
            let removeNational = try await local.post(http, "/admin/channels/remove", form: ["csrf": localToken, "name": "nasional"])
            #expect(removeNational.status == .unprocessableContent)
            #expect(String(buffer: removeNational.body).contains("Tidak ada kanal dengan nama itu di wilayah Anda."))
            let weak = try await local.post(
                http, "/admin/users",
                form: [
                    "csrf": localToken, "name": "plg-2", "region": "16.71", "role": "viewer", "password": "pendek", "password2": "pendek",
                ])
            #expect(String(buffer: weak.body).contains("Kata sandi paling sedikit 10 karakter."), "the store's refusal, by its code")
            #expect(weak.status == .unprocessableContent)
            let links = String(buffer: weak.body)
            #expect(links.contains("href=\"/admin?lang=en\""), "the refused form's page links to the admin page, not the form's URL")
            let planted = try await local.get(http, "/admin?problem=Hubungi+kami+di+evil.example")
            #expect(planted.status == .ok)
            #expect(!String(buffer: planted.body).contains("id=\"admin-problem\""), "a link cannot put words on the page")
            let disable = try await local.post(http, "/admin/users/disable", form: ["csrf": localToken, "name": "viewer-plg"])
            #expect(disable.headers[.location] == "/admin?saved=disabled")
            var viewer = ConsoleSessionClient()
            #expect(
                try await viewer.login(http, name: "viewer-plg", password: ConsoleFixtures.password).status != .seeOther,
                "a disabled user cannot log in")
            let users = try await ConsoleUserStore(client: db, logger: TestCluster.quietLogger).list()
            #expect(users.first { $0.name == "admin-plg" }?.region == RegionCode("16.71"))
            #expect(!users.contains { $0.name == "oku-ops" || $0.name == "sneaky" })
            let channels = try await ChannelStore(client: db, logger: TestCluster.quietLogger).list()
            #expect(channels.first { $0.name == "ops-plg-tg" }?.minDownSeconds == 600)
            #expect(channels.first { $0.name == "ops-plg-tg" }?.kinds == ["cctv"])
            #expect(channels.contains { $0.name == "nasional" })
        }
    }

    @Test("the device timeline splits down time by cause: behind a down fiber link (upstream) apart from a camera's own outage")
    func timelineByCause() async throws {
        try await NadiTestApp.run { app, http, db in
            try await ConsoleFixtures.seed(http, app, db)
            // PLG-CCTV-PUB sits behind PLG-FO-1: both down for the last 10 minutes.
            let now = Date()
            var pings: [String] = []
            for minute in stride(from: 10, through: 1, by: -1) {
                let at = now.addingTimeInterval(-Double(minute) * 60 + 30)
                pings += [Fixtures.ping("PLG-FO-1", at, "down"), Fixtures.ping("PLG-CCTV-PUB", at, "down")]
            }
            let sent = try Outcome(try await http.post("/v1/pings", token: app.admin, json: "[" + pings.joined(separator: ",") + "]"))
            #expect(sent.accepted == pings.count)
            try await ConsoleFixtures.waitForState("PLG-CCTV-PUB", "down", db)
            var ops = ConsoleSessionClient()
            _ = try await ops.login(http, name: "ops-plg", password: ConsoleFixtures.password)
            let behind = String(buffer: try await ops.get(http, "/devices/PLG-CCTV-PUB").body)
            #expect(behind.contains(#"class="s-upstream""#), "the camera's down time behind the link is drawn as upstream")
            #expect(behind.contains("<title>hulu terputus</title>"))
            let link = String(buffer: try await ops.get(http, "/devices/PLG-FO-1").body)
            #expect(link.contains(#"class="s-down""#) && !link.contains(#"class="s-upstream""#), "the link itself: its own outage")
            let own = String(buffer: try await ops.get(http, "/devices/PLG-CCTV-LAN").body)
            #expect(own.contains(#"class="s-down""#) && !own.contains(#"class="s-upstream""#), "a camera with no upstream: its own")
        }
    }

    @Test("an operator acknowledges an open incident from the overview (with CSRF); viewers see who did, and get no button")
    func acknowledgeIncident() async throws {
        try await NadiTestApp.run { app, http, db in
            try await ConsoleFixtures.seed(http, app, db)
            var viewer = ConsoleSessionClient()
            _ = try await viewer.login(http, name: "viewer-plg", password: ConsoleFixtures.password)
            #expect(!String(buffer: try await viewer.get(http, "/").body).contains("ack-button"), "no button for a viewer")
            var ops = ConsoleSessionClient()
            _ = try await ops.login(http, name: "ops-plg", password: ConsoleFixtures.password)
            let overview = String(buffer: try await ops.get(http, "/").body)
            #expect(overview.contains("ack-button"))
            let csrf = try #require(ConsoleSessionClient.hidden("csrf", in: overview))
            let since = try #require(ConsoleSessionClient.hidden("since", in: overview))
            let form = ["device": "PLG-CCTV-LAN", "since": since, "note": "teknisi menuju lokasi"]
            #expect(try await ops.post(http, "/incidents/ack", form: form).status == .forbidden, "no CSRF token")
            var good = form
            good["csrf"] = csrf
            let done = try await ops.post(http, "/incidents/ack", form: good)
            #expect(done.headers[.location] == "/?acknowledged=1")
            let again = try await ops.post(http, "/incidents/ack", form: good)
            #expect(again.headers[.location] == "/?not_acknowledged=1", "one acknowledgement per incident")
            let seen = String(buffer: try await viewer.get(http, "/").body)
            #expect(seen.contains("ditangani oleh ops-plg"), "the viewer sees who is on it")
            #expect(seen.contains("teknisi menuju lokasi"))
            var stale = good
            stale["since"] = "1"
            #expect(try await ops.post(http, "/incidents/ack", form: stale).headers[.location] == "/?not_acknowledged=1")
        }
    }

    @Test("wrong passwords are rate-limited per user name: the sixth try is 429 with Retry-After, even with the right password")
    func loginRateLimit() async throws {
        try await NadiTestApp.run { app, http, db in
            try await ConsoleFixtures.seed(http, app, db)
            var browser = ConsoleSessionClient()
            for attempt in 1...5 {
                let answer = try await browser.login(http, name: "viewer-plg", password: "salah-salah-\(attempt)")
                #expect(answer.status == .unauthorized, "attempt \(attempt)")
                #expect(String(buffer: answer.body).contains("Nama pengguna atau kata sandi salah."))
            }
            let limited = try await browser.login(http, name: "viewer-plg", password: ConsoleFixtures.password)
            #expect(limited.status == .tooManyRequests)
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 > 0)
            #expect(String(buffer: limited.body).contains("Terlalu banyak percobaan"))
            #expect(
                try await browser.login(http, name: "ops-plg", password: ConsoleFixtures.password).status == .seeOther,
                "another user is not locked out")
        }
    }

    @Test("English by the switch and by Accept-Language; the choice is remembered in a cookie")
    func language() async throws {
        try await NadiTestApp.run { app, http, db in
            try await ConsoleFixtures.seed(http, app, db)
            var browser = ConsoleSessionClient()
            _ = try await browser.login(http, name: "ops-plg", password: ConsoleFixtures.password)
            #expect(String(buffer: try await browser.get(http, "/").body).contains("<html lang=\"id\">"))
            let english = try await browser.get(http, "/?lang=en")
            #expect(String(buffer: english.body).contains("Open incidents"))
            #expect(browser.cookies["nadi_lang"] == "en")
            #expect(String(buffer: try await browser.get(http, "/coverage").body).contains("Rollout trajectory"), "remembered")
            var fresh = ConsoleSessionClient()
            let page = try await fresh.get(http, "/login", headers: [.acceptLanguage: "en-US,en;q=0.9"])
            #expect(String(buffer: page.body).contains("Log in to the Nadi console"))
        }
    }

    @Test(
        "public school pages: search by name and NPSN, working public camera, only public non-LAN streams without credentials; off by default"
    )
    func publicSchoolPages() async throws {
        try await NadiTestApp.run(configure: Self.publicSchools) { app, http, db in
            try await ConsoleFixtures.seed(http, app, db)
            let search = try await http.execute(uri: "/sekolah?q=sma+negeri", method: .get, headers: [:])
            #expect(search.status == .ok)
            #expect(String(buffer: search.body).contains("/sekolah/10603845"))
            let byNPSN = String(buffer: try await http.execute(uri: "/sekolah?q=1060384", method: .get, headers: [:]).body)
            #expect(byNPSN.contains("SMA NEGERI 1 PALEMBANG"))
            let page = try await http.execute(uri: "/sekolah/10603845", method: .get, headers: [:])
            let html = String(buffer: page.body)
            #expect(page.status == .ok)
            #expect(page.headers[.cacheControl] == "public, max-age=60")
            #expect(html.contains("Kamera publik sekolah ini berfungsi sekarang."))
            #expect(html.contains(ConsoleFixtures.publicStream))
            #expect(!html.contains("hunter2"), "no credentials")
            #expect(!html.contains(ConsoleFixtures.privateStream), "no private camera")
            #expect(!html.contains("Ruang guru"), "no private camera's name")
            #expect(!html.contains(ConsoleFixtures.lanStream), "no LAN address")
            #expect(!html.contains("PLG-CCTV"), "no device ids")
            #expect(try await http.execute(uri: "/sekolah/99999999", method: .get, headers: [:]).status == .notFound)
        }
        // One visitor (behind a trusted reverse proxy: X-Forwarded-For) past its rate — here one page
        // every 10 s, so the test does not depend on the machine's speed — gets 429; another does not.
        try await NadiTestApp.run(configure: {
            $0.publicSchools = true
            $0.publicPagesPerVisitor = 0.1
            $0.trustedProxies = ["127.0.0.1", "::1"]
        }) { app, http, db in
            try await ConsoleFixtures.seed(http, app, db)
            let scraper: HTTPFields = [HTTPField.Name("X-Forwarded-For")!: "198.51.100.1, 203.0.113.7"]
            #expect(try await http.execute(uri: "/sekolah/10603845", method: .get, headers: scraper).status == .ok)
            let limited = try await http.execute(uri: "/sekolah/10603845", method: .get, headers: scraper)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] == "1")
            let sameProxyOtherHop: HTTPFields = [HTTPField.Name("X-Forwarded-For")!: "203.0.113.7, 203.0.113.9"]
            #expect(
                try await http.execute(uri: "/sekolah/10603845", method: .get, headers: sameProxyOtherHop).status == .ok,
                "the visitor is the hop the proxy appended, not what the client claimed before it")
            let parent: HTTPFields = [HTTPField.Name("X-Forwarded-For")!: "203.0.113.8"]
            #expect(try await http.execute(uri: "/sekolah/10603845", method: .get, headers: parent).status == .ok, "another visitor")
        }
        try await NadiTestApp.run { app, http, db in
            let status = try await http.execute(uri: "/sekolah/10603845", method: .get, headers: [:]).status
            #expect(status == .notFound, "no public pages without --public-schools")
        }
    }

    @Test("the device CSV holds exactly the filtered rows, each matching GET /v1/devices/{id}")
    func csvMatchesAPI() async throws {
        try await NadiTestApp.run { app, http, db in
            try await ConsoleFixtures.seed(http, app, db)
            var browser = ConsoleSessionClient()
            _ = try await browser.login(http, name: "ops-plg", password: ConsoleFixtures.password)
            let page = String(buffer: try await browser.get(http, "/devices?kind=cctv&sort=id").body)
            let csv = String(buffer: try await browser.get(http, "/devices.csv?kind=cctv&sort=id").body)
            let lines = csv.components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty }
            let ids = lines.compactMap { $0.split(separator: ",").first.map(String.init) }
            #expect(ids == ["PLG-CCTV-1", "PLG-CCTV-LAN", "PLG-CCTV-PRIV", "PLG-CCTV-PUB"])
            for id in ids { #expect(page.contains("data-id=\"\(id)\""), "\(id) on the page") }
            for line in lines {
                let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                let api = try await http.get("/v1/devices/\(fields[0])", token: app.admin)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(api.body.readableBytesView)) as? [String: Any])
                #expect(json["status"] as? String == fields[4], "\(fields[0]) status")
                #expect(json["region"] as? String == fields[3], "\(fields[0]) region")
                #expect(json["kind"] as? String == fields[2])
            }
        }
    }
}
