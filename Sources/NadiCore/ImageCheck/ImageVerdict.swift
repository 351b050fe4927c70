/// What a picture check concludes: the ping it becomes. The order of the checks is the order of
/// what a viewer notices first: no picture, then black (a covered lens or a night without IR is
/// also still), frozen, blurred, and a frame rate too low to follow movement.
package struct ImageVerdict: Sendable, Equatable {
    package var status: PingStatus
    /// `image_black`, `image_frozen`, `image_blurred`, `fps_low`, or `no frame: <why>`; nil when good.
    package var reason: String?
    /// `fps`, `bitrate_kbps`, `black_pct`, `frozen_s`, `blur` (absent for no frame).
    package var metrics: [String: JSONValue]

    package init(status: PingStatus, reason: String?, metrics: [String: JSONValue]) {
        self.status = status
        self.reason = reason
        self.metrics = metrics
    }

    /// Judges a sample against the thresholds.
    package init(_ sample: ImageSample, settings: ImageCheckSettings) {
        var metrics: [String: JSONValue] = [
            "fps": .number(Self.rounded(sample.fps)), "bitrate_kbps": .number(Self.rounded(sample.bitrateKbps)),
            "black_pct": .number(Self.rounded(sample.blackPercent)), "frozen_s": .number(Self.rounded(sample.frozenSeconds)),
        ]
        if let blur = sample.blur { metrics["blur"] = .number(Self.rounded(blur)) }
        let problem: PictureProblem? =
            if sample.blackPercent >= settings.blackPercent {
                .black
            } else if sample.frozenPercent >= settings.frozenPercent {
                .frozen
            } else if let blur = sample.blur, blur > settings.maxBlur {
                .blurred
            } else if sample.fps < settings.minFPS {
                .lowFrameRate
            } else {
                nil
            }
        self.init(status: problem == nil ? .up : .degraded, reason: problem?.rawValue, metrics: metrics)
    }

    /// A sample that got no frame: the camera is down for whoever watches it.
    package init(noFrame: NoFrameReason) {
        self.init(status: .down, reason: "\(PictureProblem.noFramePrefix)\(noFrame.rawValue)", metrics: [:])
    }

    private static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}

/// A bad picture, as ping reasons name it (English codes in the API; the console and alerts say
/// `gambar hitam`, `gambar beku`, `gambar buram`, `fps rendah`).
package enum PictureProblem: String, Sendable, CaseIterable, Codable {
    case black = "image_black"
    case frozen = "image_frozen"
    case blurred = "image_blurred"
    case lowFrameRate = "fps_low"

    /// The start of a `down` reason when a sample got no frame.
    package static let noFramePrefix = "no frame: "

    /// The problem a state's reason names, if it is one of these.
    package init?(reason: String?) {
        guard let reason, let problem = PictureProblem(rawValue: reason) else { return nil }
        self = problem
    }
}

/// What a parent or an education officer is told about one camera's picture.
package enum PictureHealth: String, Sendable, Equatable, Codable {
    case good
    case black
    case frozen
    case blurred
    case lowFrameRate = "fps_low"
    /// No frame came, or the camera is down.
    case noPicture = "no_picture"
    /// The picture of this camera is not checked (no stream, or `image_check: false`).
    case unchecked

    /// The health of a camera from its current state. A camera whose picture is checked and whose
    /// state is `up` shows a good picture (the check's verdict is part of the state); `degraded`
    /// with a picture reason shows that problem.
    package init(checked: Bool, status: DeviceStatus, reason: String?) {
        guard checked else {
            self = .unchecked
            return
        }
        switch status {
        case .up: self = .good
        case .degraded:
            switch PictureProblem(reason: reason) {
            case .black?: self = .black
            case .frozen?: self = .frozen
            case .blurred?: self = .blurred
            case .lowFrameRate?: self = .lowFrameRate
            case nil: self = .good
            }
        case .down, .unknown: self = .noPicture
        }
    }
}
