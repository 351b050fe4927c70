package import Hummingbird
import HummingbirdAuth
package import NIOCore
package import NadiConsole
package import NadiStore

/// The request context of `nadid`'s router: Hummingbird's basic context plus the connection's
/// peer address (the console limits its public pages per visitor) and the API token the request
/// authenticated with (`TokenAuthenticator`, on the API's routes).
package struct NadiRequestContext: RequestContext, RemoteAddressRequestContext, AuthRequestContext, ConsoleRequestContext {
    package var coreContext: CoreRequestContextStorage
    package let remoteAddress: SocketAddress?
    package var identity: APIToken?
    /// The console's session and form fields (set by its middleware; empty for the API).
    package var console: ConsoleRequestState

    package init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        identity = nil
        console = ConsoleRequestState()
    }
}
