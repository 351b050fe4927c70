import NadiCore
import Testing

@Suite("Links shown to the public")
struct PublicLinkTests {
    /// Every spelling the outside test found shown verbatim on public pages and in exports.
    @Test(
        "credentials, private hosts in every spelling and other schemes are never shown",
        arguments: [
            "rtsp://admin:pa/ss@127.0.0.1/x",
            "rtsp://admin:pa#ss@localhost/x",
            "rtsp://viewer:hunter2@stream.palembang.go.id/live",
            "rtsp://127.1:554/user=admin&password=s3cret&channel=1.sdp",
            "rtsp://stream.palembang.go.id:554/user=admin&password=s3cret&channel=1.sdp",
            "http://localhost.localdomain/videostream.cgi?loginuse=admin&loginpas=12345",
            "http://cctv.palembang.go.id/videostream.cgi?loginuse=admin&loginpas=12345",
            "https://cctv.palembang.go.id/live?api_key=abc",
            "rtsp://127.1/x", "rtsp://0177.0.0.1/x", "rtsp://2130706433/x", "rtsp://0x7f.0.0.1/x", "rtsp://0x7f000001/x",
            "rtsp://localhost./x", "rtsp://localhost/x", "rtsp://0.0.0.0/x", "rtsp://0/x", "rtsp://10.1.2.3/x", "rtsp://012.1.2.3/x",
            "rtsp://172.20.0.1/x", "rtsp://192.168.1.1/x", "rtsp://169.254.169.254/x", "rtsp://100.64.0.1/x", "rtsp://1.2.3.999/x",
            "rtsp://[::1]/x", "rtsp://[::]/x", "rtsp://[fd00::1]/x", "rtsp://[fe80::1]/x", "rtsp://[::ffff:127.0.0.1]/x",
            "rtsp://[::ffff:10.0.0.1]/x", "rtsp://[2002:7f00:1::1]/x", "rtsp://[2001:db8::1]/x", "rtsp://[64:ff9b::a00:1]/x",
            "rtsp://nvr/x", "rtsp://nvr./x", "rtsp://cam1.local/x", "rtsp://cctv.internal/x", "rtsp://cam.lan/x",
            "rtsp://cam.home.arpa/x", "rtsp://foo.localhost/x", "rtsp://cam.corp/x",
            "javascript://%0Aalert(1)", "javascript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd", "ftp://example.com/x",
            "rtsp:// stream.palembang.go.id/x", "rtsp://stream.palembang.go.id\\@127.0.0.1/x", "not a url", "",
        ])
    func refused(_ link: String) {
        #expect(PublicLink.shown(link) == nil, "shown: \(link)")
        #expect(PublicLink.refusal(link) != nil)
    }

    @Test(
        "links on public hosts without credentials are shown (the fragment dropped)",
        arguments: [
            ("rtsp://stream.palembang.go.id/live/sman1", "rtsp://stream.palembang.go.id/live/sman1"),
            ("HTTPS://cctv.palembang.go.id/sekolah/10603845#top", "https://cctv.palembang.go.id/sekolah/10603845"),
            ("rtsps://36.66.12.7:322/main?channel=1", "rtsps://36.66.12.7:322/main?channel=1"),
            ("http://[2400:cb00::1]/live", "http://[2400:cb00::1]/live"),
            ("rtsp://cctv.okukab.go.id./sd1", "rtsp://cctv.okukab.go.id./sd1"),
        ])
    func shown(_ pair: (String, String)) {
        #expect(PublicLink.shown(pair.0) == pair.1)
    }

    @Test("IPv4 spellings are read as inet_aton reads them")
    func ipv4Spellings() {
        #expect(HostReach.ipv4("127.1") == 0x7F00_0001)
        #expect(HostReach.ipv4("0177.0.0.1") == 0x7F00_0001)
        #expect(HostReach.ipv4("2130706433") == 0x7F00_0001)
        #expect(HostReach.ipv4("0x7f.0.0.1") == 0x7F00_0001)
        #expect(HostReach.ipv4("0x7f.1") == 0x7F00_0001)
        #expect(HostReach.ipv4("8.8.8.8") == 0x0808_0808)
        #expect(HostReach.ipv4("1.2.3.256") == nil)
        #expect(HostReach.ipv4("09.1.1.1") == nil, "9 is no octal digit")
        #expect(HostReach.isPublic("8.8.8.8") && HostReach.isPublic("cctv.palembang.go.id"))
    }
}
