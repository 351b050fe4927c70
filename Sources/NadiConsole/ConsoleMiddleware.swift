import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NadiCore
import NadiStore

/// Finds the signed-in user's session from the session cookie and puts it in the context. Without
/// one, a page redirects to the login page (which comes back to it) and a form post answers 403; a
/// database that does not answer gives the 503 page.
struct ConsoleSessionMiddleware<Context: ConsoleRequestContext>: RouterMiddleware {
    /// What a request without a session gets.
    enum Missing {
        /// 303 to `/login?next=…` (pages).
        case redirectToLogin
        /// The 403 page (form posts: a form without a session is not a user's).
        case forbid
    }

    let console: ConsoleController
    let missing: Missing

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let session: ConsoleSession?
        do {
            session =
                try await request.cookies[ConsoleController.sessionCookie].asyncMap { try await console.sessions.find(cookie: $0.value) }
                ?? nil
        } catch {
            console.logger.error("console session lookup failed", metadata: ["error": "\(PostgresErrorText.describe(error))"])
            return console.errorPage(PageContext(request, session: nil), status: .serviceUnavailable, key: "unavailable")
        }
        guard let session else {
            switch missing {
            case .redirectToLogin:
                let next = PageContext.encode(request.uri.description)
                return Response(status: .seeOther, headers: [.location: "/login?next=\(next)", .cacheControl: "no-store"])
            case .forbid:
                return console.errorPage(PageContext(request, session: nil), status: .forbidden, key: "forbidden")
            }
        }
        var context = context
        context.console.session = session
        return try await next(request, context)
    }
}

/// A form post's CSRF check, after `ConsoleSessionMiddleware`: reads the form once into
/// `context.console.form` and compares its `csrf` field with the session's token (in constant
/// time); a missing or wrong token answers 403. A form that passes names its user as the audit
/// actor of whatever it changes.
struct ConsoleCSRFMiddleware<Context: ConsoleRequestContext>: RouterMiddleware {
    let console: ConsoleController

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let session = context.console.session else {
            return console.errorPage(PageContext(request, session: nil), status: .forbidden, key: "forbidden")
        }
        let fields = try await FormBody.parse(request)
        guard let token = fields["csrf"], ConsoleController.constantTimeEqual(token, session.csrf) else {
            console.logger.notice("console form refused: missing or wrong CSRF token", metadata: ["user": "\(session.user.name)"])
            return console.errorPage(PageContext(request, context), status: .forbidden, key: "forbidden")
        }
        AuditActor.current?.identify("console:\(session.user.name)")
        var context = context
        context.console.form = fields
        return try await next(request, context)
    }
}

/// Turns a console handler's failure into a page in the user's language: `PageNotFound` (absent,
/// or outside the user's region) the 404 page, an HTTP error (a form body too large) as it is,
/// anything else the 503 page, logged with the path. Remembers a `lang` choice in a cookie.
struct ConsolePageMiddleware<Context: ConsoleRequestContext>: RouterMiddleware {
    let console: ConsoleController

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let page = PageContext(request, context)
        var response: Response
        do {
            response = try await next(request, context)
        } catch is PageNotFound {
            response = console.errorPage(page, status: .notFound, key: "not_found_text")
        } catch let error as any HTTPResponseError {
            throw error
        } catch {
            console.logger.error(
                "console page failed", metadata: ["path": "\(request.uri.path)", "error": "\(PostgresErrorText.describe(error))"])
            response = console.errorPage(page, status: .serviceUnavailable, key: "unavailable")
        }
        if let chosen = page.chosenLanguage { response.setCookie(console.languageCookie(chosen, request)) }
        return response
    }
}

/// The public school pages' limit per visitor (the peer's address, or what a trusted proxy says):
/// over it, 429 with `Retry-After: 1` before any query runs.
struct PublicPageRateLimit<Context: ConsoleRequestContext>: RouterMiddleware {
    let console: ConsoleController

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard await console.publicLimiter.take(visitor: console.visitor(request, context.remoteAddress)) else {
            return Response(
                status: .tooManyRequests, headers: [.retryAfter: "1", .contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "too many requests; retry in a second\n")))
        }
        return try await next(request, context)
    }
}
