import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NadiCore
import NadiReports
import NadiStore
import NadiSupport

/// The login form and its post, the password check, and logging out.
extension ConsoleController {
    func loginPage(_ request: Request, message: String?, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        let context = PageContext(request, session: nil)
        let token = ConsoleSessionStore.randomLoginToken()
        var page = common(context, title: "login_title")
        page["login_csrf"] = token
        page["next"] = Self.safeNext(context.parameter("next"))
        page["message"] = message.map { ConsoleCatalog.words(context.language)[$0] ?? $0 }
        var response = renderer.page("login", page, status: status, headers: headers)
        response.setCookie(
            Cookie(
                name: Self.loginCookie, value: token, maxAge: 3600, path: "/login", secure: isSecure(request), httpOnly: true,
                sameSite: .strict))
        if let chosen = context.chosenLanguage { response.setCookie(languageCookie(chosen, request)) }
        return response
    }

    /// A login: refused with 429 and no password check when the name or the client address has
    /// failed too often, or when too many checks are running (a flood); otherwise one check on the
    /// password checker's own thread.
    func login(_ request: Request, from address: String?) async throws -> Response {
        let fields = try await FormBody.parse(request)
        guard let token = fields["login_csrf"], let cookie = request.cookies[Self.loginCookie]?.value,
            Self.constantTimeEqual(token, cookie)
        else {
            return errorPage(PageContext(request, session: nil), status: .forbidden, key: "forbidden")
        }
        let name = fields["name"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let password = fields["password"] ?? ""
        let addressKey = address ?? "unknown"
        let wait = [await limiter.retryAfter(name), await addressLimiter.retryAfter(addressKey)].compactMap { $0 }.max()
        if let wait {
            logger.notice("console login refused: too many failures", metadata: ["user": "\(name)", "address": "\(addressKey)"])
            return loginPage(request, message: "login_limited", status: .tooManyRequests, headers: [.retryAfter: "\(wait)"])
        }
        let user: ConsoleUser?
        do {
            user = try await verify(name: name, password: password)
        } catch is PasswordChecksBusy {
            logger.notice("console login refused: too many password checks at once", metadata: ["address": "\(addressKey)"])
            return loginPage(request, message: "login_busy", status: .tooManyRequests, headers: [.retryAfter: "1"])
        } catch {
            logger.error("console login failed on the database", metadata: ["error": "\(PostgresErrorText.describe(error))"])
            return errorPage(PageContext(request, session: nil), status: .serviceUnavailable, key: "unavailable")
        }
        guard let user else {
            await limiter.failed(name)
            await addressLimiter.failed(addressKey)
            logger.notice("console login failed", metadata: ["user": "\(name)", "address": "\(addressKey)"])
            return loginPage(request, message: "login_failed", status: .unauthorized)
        }
        await limiter.succeeded(name)
        let (sessionCookie, _) = try await sessions.start(for: user, lifetime: configuration.sessionLifetime)
        logger.info("console login", metadata: ["user": "\(user.name)"])
        var response = Response(status: .seeOther, headers: [.location: Self.safeNext(fields["next"]), .cacheControl: "no-store"])
        response.setCookie(
            Cookie(
                name: Self.sessionCookie, value: sessionCookie, maxAge: Int(configuration.sessionLifetime.components.seconds), path: "/",
                secure: isSecure(request), httpOnly: true, sameSite: .strict))
        return response
    }

    /// The enabled user `name` when `password` is theirs; nil otherwise (unknown, disabled, wrong,
    /// or a name no user can have). An unknown name costs one check too, so timing does not tell
    /// names apart. Throws `PasswordChecksBusy` when the checker is full.
    func verify(name: String, password: String) async throws -> ConsoleUser? {
        guard ConsoleCredentialRules.nameProblem(name) == nil else { return nil }
        let found = try await users.credentials(name: name)
        switch try await passwords.check(password, against: found?.hash ?? PasswordHash.decoy) {
        case .busy: throw PasswordChecksBusy()
        case .wrong: return nil
        case .matches:
            guard let found, found.user.disabledAt == nil else { return nil }
            return found.user
        }
    }

    /// Ends the session (a form post, so CSRF-checked) and clears its cookie.
    func logout(_ request: Request, _ context: some ConsoleRequestContext) async throws -> Response {
        if let cookie = request.cookies[Self.sessionCookie]?.value { try await sessions.end(cookie: cookie) }
        var response = Response(status: .seeOther, headers: [.location: "/login?bye=1", .cacheControl: "no-store"])
        response.setCookie(
            Cookie(name: Self.sessionCookie, value: "", maxAge: 0, path: "/", secure: isSecure(request), httpOnly: true, sameSite: .strict))
        return response
    }

    /// Only same-site paths may follow a login: one leading `/`, no backslash, no control
    /// character (browsers drop tabs and newlines before reading a URL, so `/\t/host` is `//host`).
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/login"),
            !next.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" })
        else { return "/" }
        return next
    }
}

/// Thrown by a login when the password checker has no room: answered 429, nothing hashed.
struct PasswordChecksBusy: Error {}

extension ConsoleSessionStore {
    /// A random token for the login form (double-submitted: cookie and hidden field).
    static func randomLoginToken() -> String { randomToken() }
}
