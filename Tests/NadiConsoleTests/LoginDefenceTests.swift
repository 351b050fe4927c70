import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NadiBench
import NadiCore
import NadiServer
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import Testing

@testable import NadiConsole

/// The console's login under attack: a flood of guesses must not take the CPU that serves pings, a
/// client must not pick the address it is limited by, and a lockout must survive a flood of names.
@Suite("Console login under attack")
struct LoginDefenceTests {
    /// A failed login with a made-up name, from a browser of its own.
    static func guess(_ http: some TestClientProtocol, name: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var browser = ConsoleSessionClient()
        let page = try await browser.get(http, "/login", headers: headers)
        let token = try #require(ConsoleSessionClient.hidden("login_csrf", in: String(buffer: page.body)))
        var fields: HTTPFields = headers
        fields[.contentType] = "application/x-www-form-urlencoded"
        fields[.cookie] = browser.cookieHeader
        let body = "login_csrf=\(token)&name=\(name)&password=not-the-password&next=/"
        return try await http.execute(uri: "/login", method: .post, headers: fields, body: ByteBuffer(string: body))
    }

    /// A failed login over a connection of its own (as a flood's connections are): its status.
    static func guessOnOwnConnection(port: Int, name: String) async throws -> Int {
        try await HTTPConnection.with(host: "127.0.0.1", port: port) { http in
            let form = try await http.get("/login")
            let csrf = ConsoleSessionClient.hidden("login_csrf", in: form.text) ?? ""
            let cookie =
                form.headers.first { $0.0.lowercased() == "set-cookie" && $0.1.hasPrefix("nadi_login=") }?.1
                .split(separator: ";").first.map(String.init) ?? ""
            return try await http.post(
                "/login", headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", cookie)],
                body: ByteBuffer(string: "login_csrf=\(csrf)&name=\(name)&password=not-the-password&next=/")
            ).status
        }
    }

    @Test(
        "a burst of guesses on 24 connections is checked one at a time with a short line; the rest get 429 unhashed, and a ping sent meanwhile is stored"
    )
    func burstIsRefusedUnhashed() async throws {
        try await NadiTestApp.run(configure: { $0.loginAttemptsPerAddress = 1_000 }) { app, http, db in
            try await Fixtures.seed(http, app)
            let port = try #require(http.port)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<24 {
                    group.addTask { try await Self.guessOnOwnConnection(port: port, name: "flood\(index)") }
                }
                let ping = Fixtures.ping("PLG-CCTV-1", Date().addingTimeInterval(-1))
                let stored = try await http.post("/v1/pings", token: app.admin, json: "[\(ping)]")
                #expect(stored.status == .ok, "a ping during the flood: \(String(buffer: stored.body))")
                var all: [Int] = []
                for try await status in group { all.append(status) }
                return all
            }
            let checked = statuses.filter { $0 == 401 }.count
            let refused = statuses.filter { $0 == 429 }.count
            #expect(checked + refused == 24, "\(statuses)")
            #expect(refused >= 1, "no guess was refused without a check: \(statuses)")
            #expect(checked >= 1, "no guess was checked at all: \(statuses)")
            #expect(try await state(of: "PLG-CCTV-1", db).status == "up")
        }
    }

    @Test(
        "after the per-address limit every name from that address gets 429; X-Forwarded-For counts only from a trusted proxy"
    )
    func perAddressLimit() async throws {
        try await NadiTestApp.run(configure: { $0.loginAttemptsPerAddress = 3 }) { _, http, _ in
            for index in 0..<3 { #expect(try await Self.guess(http, name: "name\(index)").status == .unauthorized) }
            let limited = try await Self.guess(http, name: "fresh-name")
            #expect(limited.status == .tooManyRequests)
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 >= 1)
            let spoofed: HTTPFields = [HTTPField.Name("X-Forwarded-For")!: "198.51.100.77"]
            #expect(
                try await Self.guess(http, name: "other-name", headers: spoofed).status == .tooManyRequests,
                "a client that is no trusted proxy cannot choose its address")
        }
        try await NadiTestApp.run(configure: {
            $0.loginAttemptsPerAddress = 3
            $0.trustedProxies = ["127.0.0.1", "::1"]
        }) { _, http, _ async throws in
            let first: HTTPFields = [HTTPField.Name("X-Forwarded-For")!: "198.51.100.1"]
            for index in 0..<3 { #expect(try await Self.guess(http, name: "name\(index)", headers: first).status == .unauthorized) }
            #expect(try await Self.guess(http, name: "fresh", headers: first).status == .tooManyRequests)
            let second: HTTPFields = [HTTPField.Name("X-Forwarded-For")!: "198.51.100.2"]
            #expect(
                try await Self.guess(http, name: "fresh", headers: second).status == .unauthorized,
                "another client behind the trusted proxy is not limited by the first")
        }
    }

    @Test("a NUL or control character in the name is a failed login (401), not a database error")
    func controlCharacterName() async throws {
        try await NadiTestApp.run { _, http, _ in
            let answer = try await Self.guess(http, name: "adm%00in")
            #expect(answer.status == .unauthorized)
            #expect(String(buffer: answer.body).contains("Nama pengguna atau kata sandi salah."))
        }
    }

    @Test("a flood of new names past the limiter's memory forgets the oldest names, never a lockout that is still running")
    func lockoutSurvivesNameFlood() async {
        let limiter = LoginLimiter(attempts: 3, lockout: .seconds(900), maxKeys: 10)
        let start = Date()
        for second in 0..<3 { await limiter.failed("victim", now: start.addingTimeInterval(Double(second))) }
        #expect(await limiter.retryAfter("victim", now: start.addingTimeInterval(3)) != nil)
        for index in 0..<1_000 { await limiter.failed("flood-\(index)", now: start.addingTimeInterval(3 + Double(index) / 1000)) }
        #expect(await limiter.count <= 10)
        #expect(await limiter.retryAfter("victim", now: start.addingTimeInterval(5)) != nil, "the lockout was cleared by the flood")
    }

    @Test(
        "the page after a login is a same-site path only",
        arguments: [
            ("/\t/localhost:9/phish", "/"), ("//evil.example/", "/"), ("/\\evil.example", "/"), ("/\n/evil", "/"), ("https://evil/", "/"),
            ("/login?next=/x", "/"), ("/devices?kind=cctv", "/devices?kind=cctv"), ("/devices/PLG-1", "/devices/PLG-1"),
        ])
    func safeNext(_ pair: (String, String)) {
        #expect(ConsoleController.safeNext(pair.0) == pair.1)
    }
}
