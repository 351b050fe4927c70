package import Hummingbird
package import NIOCore

/// The request context of `nadid`'s router: Hummingbird's basic context plus the connection's
/// peer address (the console limits its public pages per visitor).
package struct NadiRequestContext: RequestContext, RemoteAddressRequestContext {
    package var coreContext: CoreRequestContextStorage
    package let remoteAddress: SocketAddress?

    package init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
