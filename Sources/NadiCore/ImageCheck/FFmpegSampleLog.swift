import Foundation

/// Reads what FFmpeg prints when it decodes a sample through `blackdetect`, `freezedetect` and
/// `blurdetect` at log level `verbose` into an `ImageSample`, or the reason no frame came.
///
/// The lines it reads (FFmpeg 5.1 and later):
/// - `[blackdetect @ …] black_start:0 black_end:5 black_duration:5`
/// - `[freezedetect @ …] lavfi.freezedetect.freeze_start: 0.5` (and `freeze_end`)
/// - `[Parsed_blurdetect_2 @ …] blur mean: 5.46`
/// - `  Input stream #0:0 (video): 76 packets read (171502 bytes); 76 frames decoded;`
/// - the last progress line's `time=00:00:05.00`
package enum FFmpegSampleLog {
    /// The filter graph that produces those lines. Black and freeze detection see every frame;
    /// blur, which costs about six times the decoding (Canny edges), is judged on two frames per
    /// second: a 5 s sample of 1280×720 H.264 took 1.9 CPU s with blurdetect on every frame, 0.6 s so.
    package static let filter =
        "split[all][few];[all]blackdetect=d=0:pix_th=0.10,freezedetect=n=-60dB:d=1,nullsink;[few]fps=2,blurdetect"

    /// The sample, or why there is none.
    package static func read(_ log: String, requestedSeconds: Double) -> Result<ImageSample, NoFrameError> {
        var frames = 0
        var bytes = 0
        var black = 0.0
        var blur: Double?
        var freezeStart: Double?
        var longestFreeze = 0.0
        var time: Double?
        for rawLine in log.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let line = Substring(rawLine)
            if line.contains("Input stream #"), line.contains("(video):") {
                frames += Int(number(after: "bytes);", in: line) ?? 0)
                if let read = number(after: "packets read (", in: line) { bytes += Int(read) }
            } else if line.contains("black_duration:") {
                black += number(after: "black_duration:", in: line) ?? 0
            } else if line.contains("freezedetect.freeze_start:") {
                freezeStart = number(after: "freeze_start:", in: line)
            } else if line.contains("freezedetect.freeze_end:") {
                if let start = freezeStart, let end = number(after: "freeze_end:", in: line) {
                    longestFreeze = max(longestFreeze, end - start)
                }
                freezeStart = nil
            } else if line.contains("blur mean:") {
                blur = number(after: "blur mean:", in: line).flatMap { $0.isFinite ? $0 : nil }
            }
            if let range = line.range(of: "time=", options: .backwards), let seconds = clock(line[range.upperBound...]) {
                time = seconds
            }
        }
        guard frames > 0 else { return .failure(NoFrameError(reason: classify(log))) }
        let seconds = max(time ?? requestedSeconds, 0.001)
        if let start = freezeStart { longestFreeze = max(longestFreeze, seconds - start) }
        return .success(
            ImageSample(
                seconds: seconds, frames: frames, bytes: bytes, blackSeconds: min(black, seconds),
                frozenSeconds: min(longestFreeze, seconds),
                blur: blur))
    }

    /// Why FFmpeg got no frame, from its error lines.
    static func classify(_ log: String) -> NoFrameReason {
        let checks: [(String, NoFrameReason)] = [
            ("401 Unauthorized", .unauthorized), ("403 Forbidden", .unauthorized), ("Connection refused", .refused),
            ("404 Not Found", .notFound), ("Name or service not known", .unresolved), ("Failed to resolve", .unresolved),
            ("timed out", .noAnswer), ("Timeout", .noAnswer), ("matches no streams", .noVideo),
            ("does not contain any stream", .noVideo), ("5XX", .serverError), ("Server Error", .serverError),
        ]
        for (needle, reason) in checks where log.contains(needle) { return reason }
        return .undecodable
    }

    /// The number right after `marker` in `line`.
    private static func number(after marker: String, in line: Substring) -> Double? {
        guard let range = line.range(of: marker) else { return nil }
        let rest = line[range.upperBound...].drop { $0 == " " }
        let text = rest.prefix { $0.isNumber || $0 == "." || $0 == "-" || $0 == "e" || $0 == "n" || $0 == "a" }
        if text == "-nan" || text == "nan" { return .nan }
        return Double(text)
    }

    /// `HH:MM:SS.ss` in seconds.
    private static func clock(_ text: Substring) -> Double? {
        let parts = text.prefix { !$0.isWhitespace }.split(separator: ":")
        guard parts.count == 3, let h = Double(parts[0]), let m = Double(parts[1]), let s = Double(parts[2]) else { return nil }
        return h * 3600 + m * 60 + s
    }
}

/// A sample without a frame.
package struct NoFrameError: Error, Sendable, Equatable {
    package var reason: NoFrameReason
    package init(reason: NoFrameReason) { self.reason = reason }
}
