import Foundation

/// How and when a camera's picture is checked: `attributes.image_check` of a `cctv` with a
/// `stream_url` (`rtsp`, `rtsps`, `http`, `https`). Absent means the defaults; `false` turns the
/// check off. The thresholds decide when a sample counts as a bad picture (`ImageVerdict`).
package struct ImageCheckSettings: Sendable, Equatable {
    /// Seconds between samples of one camera.
    package var everySeconds: Int = 300
    /// Seconds of stream decoded per sample.
    package var sampleSeconds: Int = 5
    /// At or above this share of the sample black, the picture is `image_black`.
    package var blackPercent: Double = 90
    /// At or above this share of the sample without change, the picture is `image_frozen`.
    package var frozenPercent: Double = 80
    /// Above this mean blur (FFmpeg's `blurdetect`: sharp scenes score about 2–6), `image_blurred`.
    package var maxBlur: Double = 10
    /// Below this frame rate, `fps_low`.
    package var minFPS: Double = 5

    package init() {}

    /// The schemes a stream may be sampled over.
    package static let schemes: Set<String> = ["rtsp", "rtsps", "http", "https"]

    /// The settings of a device, or nil when its picture is not checked: not a `cctv`, no
    /// `stream_url` of a sampled scheme, or `image_check: false`. The SQL side of this rule is
    /// `nadi_image_checked` (schema part 22).
    package init?(kind: DeviceKind, attributes: JSONValue?) {
        guard kind == .cctv, let url = attributes?["stream_url"]?.stringValue, Self.schemes.contains(Self.scheme(of: url)) else {
            return nil
        }
        let value = attributes?["image_check"]
        if case .bool(false)? = value { return nil }
        if let value, Self.problem(value) != nil { return nil }
        if let every = value?["every_s"]?.numberValue { everySeconds = Int(every) }
        if let sample = value?["sample_s"]?.numberValue { sampleSeconds = Int(sample) }
        if let black = value?["black_pct"]?.numberValue { blackPercent = black }
        if let frozen = value?["frozen_pct"]?.numberValue { frozenPercent = frozen }
        if let blur = value?["max_blur"]?.numberValue { maxBlur = blur }
        if let fps = value?["min_fps"]?.numberValue { minFPS = fps }
    }

    /// What is wrong with an `attributes.image_check` value, or nil.
    package static func problem(_ value: JSONValue) -> String? {
        if case .bool = value { return value == .bool(false) ? nil : "attributes.image_check must be false or an object" }
        guard case .object(let fields) = value else {
            return "attributes.image_check must be false or an object {every_s, sample_s, black_pct, frozen_pct, max_blur, min_fps}"
        }
        let ranges: [(String, ClosedRange<Double>, Bool)] = [
            ("every_s", 60...86_400, true), ("sample_s", 2...30, true), ("black_pct", 1...100, false), ("frozen_pct", 1...100, false),
            ("max_blur", 0.1...1000, false), ("min_fps", 0...120, false),
        ]
        for key in fields.keys where !ranges.contains(where: { $0.0 == key }) {
            return "attributes.image_check.\(key.prefix(40)) is not a setting (every_s, sample_s, black_pct, frozen_pct, max_blur, min_fps)"
        }
        for (key, range, integer) in ranges {
            guard let field = fields[key] else { continue }
            guard let number = field.numberValue, range.contains(number), !integer || number == number.rounded() else {
                let bounds = "\(range.lowerBound.formatted)–\(range.upperBound.formatted)"
                return "attributes.image_check.\(key) must be \(integer ? "an integer " : "")\(bounds)"
            }
        }
        let every = fields["every_s"]?.numberValue ?? 300
        let sample = fields["sample_s"]?.numberValue ?? 5
        if sample * 4 > every { return "attributes.image_check.sample_s must be at most a quarter of every_s" }
        return nil
    }

    /// The lowercased scheme of a URL (empty when it has none).
    package static func scheme(of url: String) -> String {
        guard let end = url.range(of: "://") else { return "" }
        return url[..<end.lowerBound].lowercased()
    }
}

extension Double {
    /// The number without a trailing `.0`.
    fileprivate var formatted: String { self == rounded() ? String(Int(self)) : String(self) }
}
