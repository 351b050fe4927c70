import Foundation
import HTTPTypes
import HummingbirdTesting
import NadiBench
import NadiServer
import NadiServerTestSupport
import NadiTestSupport
import Testing

/// `/metrics` names device counts per region and channel names: with `--metrics-listen` it is
/// served on that address only.
@Suite("Metrics on a listener of their own")
struct MetricsListenerTests {
    @Test("with metricsListen, /metrics answers there and 404 on the main listener; /healthz answers on both")
    func separateListener() async throws {
        let port = ChildProcess.freePort()
        try await NadiTestApp.run(configure: { $0.metricsListen = ("127.0.0.1", port) }) { _, http, _ in
            #expect(try await http.get("/metrics", token: nil).status == .notFound)
            #expect(try await http.get("/healthz", token: nil).status == .ok)
            let scraped = try await eventually("the metrics listener answers", timeout: .seconds(5)) {
                try? await HTTPConnection.with(host: "127.0.0.1", port: port) { try await $0.get("/metrics") }
            } until: {
                $0 != nil
            }
            #expect(scraped?.status == 200)
            #expect(scraped?.text.contains("nadi_") == true, "\(scraped?.text.prefix(200) ?? "no answer")")
        }
    }
}
