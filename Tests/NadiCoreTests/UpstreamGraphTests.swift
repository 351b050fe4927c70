import NadiCore
import Testing

@Suite("Upstream graph")
struct UpstreamGraphTests {
    @Test("links are applied in order; self links and links that close a cycle are refused and not applied")
    func cycles() {
        var graph = UpstreamGraph(upstream: ["CAM-1": "FO-1", "FO-1": "POP-1"])
        #expect(graph.propose(device: "POP-1", .set("POP-1")) == "a device cannot be its own upstream")
        #expect(graph.propose(device: "POP-1", .set("CAM-1"))?.contains("POP-1 → CAM-1 → FO-1 → POP-1") == true)
        #expect(graph.propose(device: "CAM-2", .set("FO-1")) == nil)
        #expect(graph.propose(device: "FO-1", .clear) == nil)
        // With FO-1 no longer behind POP-1, POP-1 may sit behind CAM-1 (odd, but no cycle).
        #expect(graph.propose(device: "POP-1", .set("CAM-1")) == nil)
        #expect(graph.propose(device: "FO-1", .set("POP-1")) != nil, "FO-1 → POP-1 → CAM-1 → FO-1")
        #expect(graph.propose(device: "X", .keep) == nil)
    }
}
