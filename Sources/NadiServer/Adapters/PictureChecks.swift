import NadiCore

/// The picture checks of the poller: which cameras it samples, when each is due, and the verdicts
/// still fresh. The poller's probe pings carry a fresh verdict (a camera whose port answers but whose
/// picture is frozen stays `degraded`), so the state does not flap between a probe and a sample.
actor PictureChecks {
    /// A camera whose picture is checked.
    struct Camera: Sendable, Equatable {
        var deviceID: Int64
        var kind: DeviceKind
        var interval: Int
        /// The stream, credentials included: never logged.
        var url: String
        var settings: ImageCheckSettings
    }

    private var cameras: [Int64: Camera] = [:]
    private var due: [Int64: ContinuousClock.Instant] = [:]
    private var running: Set<Int64> = []
    private var verdicts: [Int64: (verdict: ImageVerdict, until: ContinuousClock.Instant)] = [:]
    /// The first samples after a start are spread over at most this much (less for shorter intervals).
    let firstSpread: Duration

    init(firstSpread: Duration = .seconds(20)) { self.firstSpread = firstSpread }

    /// Replaces the cameras. A camera new to this poller is first sampled at a point of the next
    /// `firstSpread` derived from its id; one whose state says its picture is bad keeps that verdict
    /// until its first sample here (a restart does not announce a recovery that did not happen).
    func update(_ next: [Int64: Camera], states: [Int64: (DeviceStatus, String?)], now: ContinuousClock.Instant) {
        for (id, camera) in next where due[id] == nil || cameras[id]?.settings != camera.settings {
            let spread = min(firstSpread, .seconds(camera.settings.everySeconds))
            let fraction = Double((UInt64(bitPattern: id) &* 0x9E37_79B9_7F4A_7C15) % 1000) / 1000
            due[id] = now + spread * fraction
            if verdicts[id] == nil, let (status, reason) = states[id], status == .degraded, let problem = PictureProblem(reason: reason) {
                verdicts[id] = (
                    ImageVerdict(status: .degraded, reason: problem.rawValue, metrics: [:]), .now + Self.freshness(camera.settings)
                )
            }
        }
        cameras = next
        due = due.filter { next[$0.key] != nil }
        verdicts = verdicts.filter { next[$0.key] != nil }
    }

    /// Forgets everything (this nadid no longer polls).
    func clear() {
        cameras = [:]
        due = [:]
        verdicts = [:]
    }

    /// Up to `limit - running` cameras due now, earliest first; each is marked running and due
    /// again one interval later.
    func takeDue(now: ContinuousClock.Instant, limit: Int) -> [Camera] {
        let free = limit - running.count
        guard free > 0 else { return [] }
        let ready = due.filter { $0.value <= now && !running.contains($0.key) }.sorted { $0.value < $1.value }.prefix(free)
        var taken: [Camera] = []
        for (id, _) in ready {
            guard let camera = cameras[id] else { continue }
            running.insert(id)
            due[id] = now + .seconds(camera.settings.everySeconds)
            taken.append(camera)
        }
        return taken
    }

    /// Records a sample's verdict (nil: the camera was not sampled); it stays fresh for two intervals and a sample's deadline.
    func finish(_ camera: Camera, verdict: ImageVerdict?, now: ContinuousClock.Instant) {
        running.remove(camera.deviceID)
        guard cameras[camera.deviceID] != nil, let verdict else { return }
        verdicts[camera.deviceID] = (verdict, now + Self.freshness(camera.settings))
    }

    /// The camera's verdict, while fresh.
    func verdict(for id: Int64, now: ContinuousClock.Instant) -> ImageVerdict? {
        guard let entry = verdicts[id], entry.until > now else { return nil }
        return entry.verdict
    }

    /// Cameras waiting longer than their own interval for a sample (the checks fall behind).
    func overdue(now: ContinuousClock.Instant) -> Int {
        due.filter { id, at in
            guard let camera = cameras[id], !running.contains(id) else { return false }
            return now - at > .seconds(camera.settings.everySeconds)
        }.count
    }

    static func freshness(_ settings: ImageCheckSettings) -> Duration {
        .seconds(settings.everySeconds * 2) + ImageSampler.deadline(for: settings)
    }
}
