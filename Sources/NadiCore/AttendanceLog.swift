/// ZKTeco PUSH attendance uploads (`POST /iclock/cdata?table=ATTLOG`): one record a line,
/// `PIN<TAB>YYYY-MM-DD HH:MM:SS<TAB>status<TAB>verify…`. Nadi counts records per device and day and
/// keeps nothing of their content.
package enum AttendanceLog {
    /// The lines of `body` that are attendance records: a non-empty PIN, then a tab and a punch time
    /// `YYYY-MM-DD HH:MM:SS`. Blank lines, stamps and garbage do not count.
    package static func recordCount(_ body: [UInt8]) -> Int {
        body.split(whereSeparator: { $0 == 0x0A || $0 == 0x0D }).filter(isRecord).count
    }

    /// Most records one upload counts: a device's whole memory is a few tens of thousands, sent in
    /// pieces; a 6 MB body of 200,000 is someone else.
    package static let maxRecordsPerUpload = 5_000

    /// The records of `body` (at most `limit`) as `PIN<TAB>time` keys, for counting each record once
    /// (the store keeps only their hash), and whether the body held more.
    package static func recordKeys(_ body: [UInt8], limit: Int = maxRecordsPerUpload) -> (keys: [String], truncated: Bool) {
        var keys: [String] = []
        for line in body.split(whereSeparator: { $0 == 0x0A || $0 == 0x0D }) where isRecord(line) {
            guard keys.count < limit else { return (keys, true) }
            let fields = line.split(separator: 0x09, omittingEmptySubsequences: false)
            keys.append(
                String(decoding: fields[fields.startIndex], as: UTF8.self) + "\t"
                    + String(decoding: fields[fields.startIndex + 1], as: UTF8.self))
        }
        return (keys, false)
    }

    static func isRecord(_ line: ArraySlice<UInt8>) -> Bool {
        let fields = line.split(separator: 0x09, omittingEmptySubsequences: false)
        guard fields.count >= 2 else { return false }
        let pin = fields[fields.startIndex]
        guard !pin.isEmpty, pin.count <= 24, pin.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return false }
        let time = Array(fields[fields.startIndex + 1])
        // YYYY-MM-DD HH:MM:SS
        guard time.count == 19 else { return false }
        let digitPositions = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
        guard digitPositions.allSatisfy({ time[$0] &- 0x30 < 10 }) else { return false }
        guard time[4] == 0x2D, time[7] == 0x2D, time[10] == 0x20, time[13] == 0x3A, time[16] == 0x3A else { return false }
        func number(_ range: Range<Int>) -> Int { time[range].reduce(0) { $0 * 10 + Int($1 - 0x30) } }
        return (1...12).contains(number(5..<7)) && (1...31).contains(number(8..<10)) && number(11..<13) < 24 && number(14..<16) < 60
            && number(17..<19) < 61
    }
}
