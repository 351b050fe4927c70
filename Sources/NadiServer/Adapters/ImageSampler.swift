import Foundation
import NadiCore
import NadiSupport
import Subprocess
import SystemPackage

/// Samples a camera's stream with FFmpeg and judges the picture: a few seconds decoded through
/// `blackdetect`, `freezedetect` and `blurdetect` into a null sink, at nice 10 so that decoding
/// yields to ingest. **No picture leaves FFmpeg**: nothing is written but to `/dev/null`, and its
/// log — which names the URL, credentials included — is read for the numbers and dropped, never
/// logged.
struct ImageSampler: Sendable {
    let ffmpeg: ExternalTool
    /// `nice`, when installed, to run FFmpeg at a lower priority.
    let nice: ExternalTool?

    init(ffmpeg: ExternalTool, nice: ExternalTool? = ExternalTool.find("nice")) {
        self.ffmpeg = ffmpeg
        self.nice = nice
    }

    /// How long FFmpeg may wait for the server to answer before the sample counts as `no answer`.
    static let connectTimeout: Duration = .seconds(5)

    /// The whole sample may take this long (then FFmpeg is killed and the camera had no frame).
    static func deadline(for settings: ImageCheckSettings) -> Duration {
        .seconds(settings.sampleSeconds) + connectTimeout * 2 + .seconds(5)
    }

    /// Samples `url` and returns the verdict, and the CPU seconds FFmpeg used.
    func sample(_ url: String, settings: ImageCheckSettings) async -> (verdict: ImageVerdict, cpuSeconds: Double?) {
        let timeoutMicros = String(Self.connectTimeout.components.seconds * 1_000_000)
        var arguments = ["-nostdin", "-hide_banner", "-loglevel", "verbose"]
        switch ImageCheckSettings.scheme(of: url) {
        case "rtsp", "rtsps": arguments += ["-rtsp_transport", "tcp", "-timeout", timeoutMicros]
        default: arguments += ["-rw_timeout", timeoutMicros]
        }
        // `-t` before `-i` limits what is read from the camera (a limit on the output would keep
        // reading while the 2 fps blur branch catches up).
        arguments += [
            "-t", String(settings.sampleSeconds), "-i", url, "-map", "0:v:0", "-an", "-sn", "-dn", "-vf", FFmpegSampleLog.filter,
            "-f", "null", "-",
        ]
        let executable: Executable
        if let nice {
            executable = .path(FilePath(nice.path))
            arguments = ["-n", "10", ffmpeg.path] + arguments
        } else {
            executable = .path(FilePath(ffmpeg.path))
        }
        let command = arguments
        do {
            let result = try await withDeadline(Self.deadline(for: settings)) {
                try await run(executable, arguments: Arguments(command), output: .discarded, error: .string(limit: 4 << 20))
            }
            let log = result.standardError
            let cpu = Self.childCPUSeconds()
            switch FFmpegSampleLog.read(log, requestedSeconds: Double(settings.sampleSeconds)) {
            case .success(let sample): return (ImageVerdict(sample, settings: settings), cpu)
            case .failure(let failure): return (ImageVerdict(noFrame: failure.reason), cpu)
            }
        } catch is DeadlineExceeded {
            return (ImageVerdict(noFrame: .noAnswer), nil)
        } catch {
            return (ImageVerdict(noFrame: .undecodable), nil)
        }
    }

    /// CPU seconds used so far by waited-for children of this process (user + system): the
    /// benchmark takes differences of it.
    static func childCPUSeconds() -> Double? {
        var usage = rusage()
        guard getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage) == 0 else { return nil }
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
    }
}
