import Foundation
import NadiCore
import NadiReports
import Testing

@Suite("Alert message texts")
struct AlertTextTests {
    static let since = Date(timeIntervalSince1970: 1_764_558_120)  // 2025-12-01 03:02 UTC = 10:02 WIB
    static func payload(_ kind: AlertPayload.Kind, dependents: Int = 148) -> AlertPayload {
        AlertPayload(
            kind: kind, device: "PLG-FO-3", name: "Backbone <Ilir> & Barat", deviceKind: "fiber_link", region: "16.71.01", since: since,
            ended: since.addingTimeInterval(3780), dependentsDown: dependents, channel: "ops")
    }

    @Test("Indonesian by default, English on request; times in WIB/WITA; HTML escaped for Telegram; a link with --public-url")
    func texts() throws {
        let jakarta = try #require(TimeZone(identifier: "Asia/Jakarta"))
        let id = AlertText(language: .id, zone: jakarta)
        #expect(
            id.plain(Self.payload(.down))
                == "🔴 PLG-FO-3 Backbone <Ilir> & Barat mati sejak 1 Des 2025 10:02 WIB — 148 perangkat di belakangnya tidak terjangkau.\nLink fiber · wilayah 16.71.01"
        )
        #expect(id.telegramHTML(Self.payload(.down)).hasPrefix("🔴 <b>PLG-FO-3 Backbone &lt;Ilir&gt; &amp; Barat</b> mati sejak"))
        #expect(
            id.plain(Self.payload(.recovery)).hasPrefix(
                "✅ PLG-FO-3 Backbone <Ilir> & Barat pulih pukul 1 Des 2025 11:05 WIB setelah mati 1 jam 3 menit."))
        let en = AlertText(
            language: .en, zone: try #require(TimeZone(identifier: "Asia/Makassar")), publicURL: URL(string: "https://nadi.example.go.id/"))
        let down = en.plain(Self.payload(.down, dependents: 1))
        #expect(
            down.hasPrefix("🔴 PLG-FO-3 Backbone <Ilir> & Barat down since 1 Dec 2025 11:02 WITA — 1 device behind it unreachable."),
            "\(down)")
        #expect(down.hasSuffix("\nhttps://nadi.example.go.id/devices/PLG-FO-3"))
        // Without a console (`--no-console`) the link is the API's.
        let api = AlertText(
            language: .en, zone: .gmt, publicURL: URL(string: "https://nadi.example.go.id"), devicePath: "/v1/devices/")
        #expect(api.plain(Self.payload(.down)).hasSuffix("\nhttps://nadi.example.go.id/v1/devices/PLG-FO-3"))
        #expect(en.plain(Self.payload(.test)).contains("Test message from Nadi for channel ops"))
    }
}
