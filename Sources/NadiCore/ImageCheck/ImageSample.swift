/// What one decoded sample of a camera's stream measured. Only these numbers leave the decoder:
/// no frame, thumbnail or log line of the picture is kept anywhere.
package struct ImageSample: Sendable, Equatable {
    /// Seconds of stream decoded.
    package var seconds: Double
    /// Frames decoded.
    package var frames: Int
    /// Compressed bytes read.
    package var bytes: Int
    /// Seconds of the sample judged black.
    package var blackSeconds: Double
    /// Seconds of the sample without change (the longest still stretch).
    package var frozenSeconds: Double
    /// Mean blur over the sample (nil when it cannot be measured, e.g. a black picture).
    package var blur: Double?

    package init(seconds: Double, frames: Int, bytes: Int, blackSeconds: Double, frozenSeconds: Double, blur: Double?) {
        self.seconds = seconds
        self.frames = frames
        self.bytes = bytes
        self.blackSeconds = blackSeconds
        self.frozenSeconds = frozenSeconds
        self.blur = blur
    }

    /// Frames per second over the sample.
    package var fps: Double { seconds > 0 ? Double(frames) / seconds : 0 }
    /// The stream's bitrate over the sample, in kbit/s.
    package var bitrateKbps: Double { seconds > 0 ? Double(bytes) * 8 / 1000 / seconds : 0 }
    /// The share of the sample that was black, in percent.
    package var blackPercent: Double { seconds > 0 ? min(100, blackSeconds / seconds * 100) : 0 }
    /// The share of the sample that was still, in percent.
    package var frozenPercent: Double { seconds > 0 ? min(100, frozenSeconds / seconds * 100) : 0 }
}

/// Why a sample produced no frame, in a few words (never the URL, which may hold credentials).
package enum NoFrameReason: String, Sendable, Equatable {
    case refused = "connection refused"
    case noAnswer = "no answer"
    case unauthorized = "credentials refused"
    case notFound = "stream not found"
    case serverError = "server error"
    case unresolved = "name not resolved"
    case noVideo = "no video track"
    case undecodable = "no frame decoded"
}
