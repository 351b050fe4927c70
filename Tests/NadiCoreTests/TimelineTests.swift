import Foundation
import NadiCore
import Testing

@Suite("Timeline")
struct TimelineTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static func at(_ s: Double) -> Date { t0.addingTimeInterval(s) }
    let heartbeat = Heartbeat(interval: 60, missCount: 3)

    @Test("a gap of exactly miss count × interval is not silence; one second more is")
    func silenceBoundary() {
        let exactly = Timeline.runs(
            continuing: nil, pings: [TimelinePing(at: Self.at(0), status: .up), TimelinePing(at: Self.at(180), status: .up)],
            heartbeat: heartbeat, now: Self.at(200))
        #expect(exactly == [StateRun(status: .up, start: Self.at(0))])
        let longer = Timeline.runs(
            continuing: nil, pings: [TimelinePing(at: Self.at(0), status: .up), TimelinePing(at: Self.at(181), status: .up)],
            heartbeat: heartbeat, now: Self.at(200))
        #expect(
            longer == [
                StateRun(status: .up, start: Self.at(0), end: Self.at(60)),
                StateRun(status: .down, reason: "silent", start: Self.at(60), end: Self.at(181)),
                StateRun(status: .up, start: Self.at(181)),
            ])
    }

    @Test("continuing an anchor extends it when the status holds and cuts it when it changes")
    func continuingAnchor() {
        let anchor = StateRun(status: .up, start: Self.at(-600))
        let same = Timeline.runs(
            continuing: anchor, pings: [TimelinePing(at: Self.at(0), status: .up), TimelinePing(at: Self.at(60), status: .up)],
            heartbeat: heartbeat, now: Self.at(90))
        #expect(same == [anchor])
        let changed = Timeline.runs(
            continuing: anchor, pings: [TimelinePing(at: Self.at(0), status: .up), TimelinePing(at: Self.at(60), status: .degraded)],
            heartbeat: heartbeat, now: Self.at(90))
        #expect(
            changed == [StateRun(status: .up, start: Self.at(-600), end: Self.at(60)), StateRun(status: .degraded, start: Self.at(60))])
    }

    @Test("SQL scripts split at semicolons outside quotes, dollar bodies and comments")
    func sqlScript() {
        let script = """
            -- a comment; not a statement
            CREATE TABLE a (x text DEFAULT 'semi;colon');
            CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;
            /* block; comment */ SELECT "odd;name" FROM a;
            """
        let statements = SQLScript.statements(in: script)
        #expect(statements.count == 3)
        #expect(statements[1].hasSuffix("END $$"))
    }
}
