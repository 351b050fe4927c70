package import Hummingbird
package import NadiStore

/// A request context the console's middleware can write to: the server's context conforms, so the
/// console's pages run on the same router as the API.
package protocol ConsoleRequestContext: RemoteAddressRequestContext {
    /// What the console's middleware found for this request.
    var console: ConsoleRequestState { get set }
}

/// What the console's middleware found for one request, for the handler after it.
package struct ConsoleRequestState: Sendable {
    /// The signed-in user's session (`ConsoleSessionMiddleware`); nil on the login and public pages.
    package var session: ConsoleSession?
    /// A form post's fields, read once and CSRF-checked (`ConsoleCSRFMiddleware`); empty for pages.
    package var form: [String: String]

    package init() {
        session = nil
        form = [:]
    }
}

extension PageContext {
    /// The page's context from the request and what the console's middleware found.
    init(_ request: Request, _ context: some ConsoleRequestContext) {
        self.init(request, session: context.console.session)
    }
}
