import Foundation
import NadiCore
import Testing

/// Causes of non-operational time, against answers computed by hand (issue 14).
@Suite("Cause attribution")
struct CauseAttributionTests {
    /// 2026-11-23 at `hour` (decimal hours), UTC.
    static func at(_ hour: Double) -> Date { Date(timeIntervalSince1970: 1_795_392_000 + hour * 3600) }

    /// Up over the day, down over `down` (hours).
    static func runs(down: [(Double, Double)]) -> [StateRun] {
        var result: [StateRun] = []
        var cursor = 0.0
        for (start, end) in down {
            if start > cursor { result.append(StateRun(status: .up, start: at(cursor), end: at(start))) }
            result.append(StateRun(status: .down, start: at(start), end: at(end)))
            cursor = end
        }
        result.append(StateRun(status: .up, start: at(cursor), end: at(24)))
        return result
    }

    static func link(_ upstream: Int64, _ from: Double = 0, _ to: Double? = nil) -> CauseAttribution.Link {
        .init(upstream: upstream, from: at(from), to: to.map(at))
    }

    static let window = at(8)..<at(12)
    static let hour = 3600.0

    @Test("the timeline's down segments: a camera down 08:30–11:45, its link down 09:00–10:00, a window over the camera 11:00–12:00")
    func downSegments() {
        let link: Int64 = 1
        let camera: Int64 = 2
        let attribution = CauseAttribution(
            runs: [link: Self.runs(down: [(9, 10)]), camera: Self.runs(down: [(8.5, 11.75)])],
            links: [camera: [Self.link(link)]], maintenance: [camera: [Self.at(11)..<Self.at(12)]], now: Self.at(24))
        let segments = attribution.downSegments(camera, over: Self.window)
        #expect(
            segments == [
                .init(span: Self.at(8.5)..<Self.at(9), cause: .own, root: camera),
                .init(span: Self.at(9)..<Self.at(10), cause: .upstream, root: link),
                .init(span: Self.at(10)..<Self.at(11), cause: .own, root: camera),
                .init(span: Self.at(11)..<Self.at(11.75), cause: .maintenance, root: camera),
            ])
        // The tally sums exactly those segments.
        #expect(
            attribution.tally(camera, over: Self.window)
                == CauseTally(
                    operational: 0.75 * Self.hour, known: 4 * Self.hour, own: 1.5 * Self.hour, upstream: Self.hour,
                    maintenance: 0.75 * Self.hour))
        // Cut by the window: 10:30–11:00 own, 11:00–11:15 maintenance.
        #expect(
            attribution.downSegments(camera, over: Self.at(10.5)..<Self.at(11.25)) == [
                .init(span: Self.at(10.5)..<Self.at(11), cause: .own, root: camera),
                .init(span: Self.at(11)..<Self.at(11.25), cause: .maintenance, root: camera),
            ])
        #expect(attribution.downSegments(link, over: Self.at(12)..<Self.at(13)).isEmpty, "no down time in the window")
    }

    @Test("a fiber link down 10:00–11:00 with three cameras behind it, one already down on its own from 09:30 to 11:30")
    func fiberCut() {
        let link: Int64 = 1
        let attribution = CauseAttribution(
            runs: [
                link: Self.runs(down: [(10, 11)]), 2: Self.runs(down: [(9.5, 11.5)]), 3: Self.runs(down: [(10, 11)]),
                4: Self.runs(down: [(10, 11)]),
            ],
            links: [2: [Self.link(link)], 3: [Self.link(link)], 4: [Self.link(link)]], maintenance: [:], now: Self.at(24))
        #expect(attribution.tally(link, over: Self.window) == CauseTally(operational: 3 * Self.hour, known: 4 * Self.hour, own: Self.hour))
        let first = attribution.tally(2, over: Self.window)
        #expect(first == CauseTally(operational: 2 * Self.hour, known: 4 * Self.hour, own: Self.hour, upstream: Self.hour))
        #expect(first.slaPercent.map { ($0 * 100).rounded() / 100 } == 66.67, "2 h of the 3 h it is charged with")
        #expect(attribution.cause(2, at: Self.at(9.75))?.cause == .own)
        #expect(attribution.cause(2, at: Self.at(10.5))?.cause == .upstream)
        #expect(attribution.cause(2, at: Self.at(10.5))?.root == link)
        #expect(attribution.cause(2, at: Self.at(11.25))?.cause == .own, "still down after the link is back: its own again")
        for camera: Int64 in [3, 4] {
            let tally = attribution.tally(camera, over: Self.window)
            #expect(tally == CauseTally(operational: 3 * Self.hour, known: 4 * Self.hour, upstream: Self.hour))
            #expect(tally.slaPercent == 100)
        }
    }

    @Test("a two-level chain POP → link → camera: the camera's and the link's root is the POP")
    func chain() {
        let attribution = CauseAttribution(
            runs: [1: Self.runs(down: [(10, 11)]), 2: Self.runs(down: [(10, 11)]), 3: Self.runs(down: [(10, 11)])],
            links: [2: [Self.link(1)], 3: [Self.link(2)]], maintenance: [:], now: Self.at(24))
        #expect(attribution.cause(3, at: Self.at(10.5))! == (.upstream, 1))
        #expect(attribution.cause(2, at: Self.at(10.5))! == (.upstream, 1))
        #expect(attribution.cause(1, at: Self.at(10.5))! == (.own, 1))
        #expect(attribution.tally(3, over: Self.window).upstream == Self.hour)
    }

    @Test("maintenance on the link 10:30–12:00: its own down time and the camera's turn to maintenance inside the window")
    func maintenance() {
        let attribution = CauseAttribution(
            runs: [1: Self.runs(down: [(10, 11)]), 2: Self.runs(down: [(10, 11)])], links: [2: [Self.link(1)]],
            maintenance: [1: [Self.at(10.5)..<Self.at(12)]], now: Self.at(24))
        #expect(
            attribution.tally(1, over: Self.window)
                == CauseTally(operational: 3 * Self.hour, known: 4 * Self.hour, own: 0.5 * Self.hour, maintenance: 0.5 * Self.hour))
        #expect(
            attribution.tally(2, over: Self.window)
                == CauseTally(operational: 3 * Self.hour, known: 4 * Self.hour, upstream: 0.5 * Self.hour, maintenance: 0.5 * Self.hour))
    }

    @Test("a camera whose upstream changed mid-outage: upstream while behind the failed link, its own after the move")
    func upstreamChanged() {
        let attribution = CauseAttribution(
            runs: [1: Self.runs(down: [(10, 11)]), 2: Self.runs(down: []), 3: Self.runs(down: [(10, 11)])],
            links: [3: [Self.link(1, 0, 10.5), Self.link(2, 10.5)]], maintenance: [:], now: Self.at(24))
        #expect(
            attribution.tally(3, over: Self.window)
                == CauseTally(operational: 3 * Self.hour, known: 4 * Self.hour, own: 0.5 * Self.hour, upstream: 0.5 * Self.hour))
    }

    @Test("unknown time is no cause, and a never-seen upstream charges nothing to its dependents")
    func unknown() {
        let attribution = CauseAttribution(
            runs: [2: [StateRun(status: .down, start: Self.at(9), end: Self.at(10)), StateRun(status: .up, start: Self.at(10))]],
            links: [2: [Self.link(1)]], maintenance: [:], now: Self.at(12))
        #expect(attribution.tally(2, over: Self.window) == CauseTally(operational: 2 * Self.hour, known: 3 * Self.hour, own: Self.hour))
    }
}
