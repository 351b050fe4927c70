package import Foundation

/// A maintenance window as `nadi maintenance add` and `POST /v1/maintenance` take it, validated once
/// for both. Times are RFC 3339 with an offset, or local times of the deployment's zone
/// (`2026-11-24 22:00`, `2026-11-24T22:00:00`).
package struct MaintenanceRequest: Sendable, Equatable {
    package enum Target: Sendable, Equatable {
        case device(String)
        case region(RegionCode, kind: DeviceKind?)
    }

    package var target: Target
    package var from: Date
    package var to: Date
    package var reason: String

    package init(target: Target, from: Date, to: Date, reason: String) {
        self.target = target
        self.from = from
        self.to = to
        self.reason = reason
    }

    /// The longest window.
    package static let longest: TimeInterval = 31 * 86_400
    /// How far back a window may start: the past a year ago is reported and closed.
    package static let earliest: TimeInterval = 366 * 86_400
    /// A window that starts more than this before it is created is retroactive (the same grace as
    /// the schema's `maintenance_window.retroactive`): a form filled in for "now" is not.
    package static let retroactiveGrace: TimeInterval = 5 * 60

    /// True when the window starts before `now` (less the grace): it changes figures already
    /// reported, so only an admin may create it.
    package func isRetroactive(now: Date) -> Bool {
        from < now.addingTimeInterval(-Self.retroactiveGrace)
    }

    /// Validates the raw fields; the failure says which one is wrong and how.
    package static func parse(
        device: String?, region: String?, kind: String?, from: String, to: String, reason: String, timeZone: TimeZone,
        now: Date = Date()
    ) -> Result<MaintenanceRequest, MaintenanceProblem> {
        func fail(_ code: MaintenanceProblem.Code, _ text: String) -> Result<MaintenanceRequest, MaintenanceProblem> {
            .failure(MaintenanceProblem(code, text))
        }
        let target: Target
        switch (device, region) {
        case (let device?, nil):
            guard RecordValidation.isIdentifier(device) else {
                return fail(.target, "device '\(RecordValidation.shown(device))' is not a device id")
            }
            guard kind == nil else { return fail(.target, "kind goes with region, not with device") }
            target = .device(device)
        case (nil, let region?):
            guard let code = RegionCode(region) else {
                return fail(.target, "region '\(region.prefix(40))' is not \(RegionCode.formatHelp)")
            }
            var deviceKind: DeviceKind?
            if let kind {
                guard let parsed = DeviceKind(rawValue: kind) else {
                    return fail(.target, "kind must be one of \(DeviceKind.allowedValues)")
                }
                deviceKind = parsed
            }
            target = .region(code, kind: deviceKind)
        default:
            return fail(.target, "give a device or a region (one of them)")
        }
        guard let start = time(from, in: timeZone) else { return fail(.from, "from '\(from.prefix(40))' \(timeHelp)") }
        guard let end = time(to, in: timeZone) else { return fail(.to, "to '\(to.prefix(40))' \(timeHelp)") }
        guard end > start else { return fail(.order, "to (\(to)) must be after from (\(from))") }
        guard end.timeIntervalSince(start) <= longest else { return fail(.tooLong, "a window may last at most 31 days; split longer work") }
        guard start >= now.addingTimeInterval(-earliest) else {
            return fail(.tooOld, "from (\(from)) is more than a year ago; windows that far back would rewrite closed reports")
        }
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 300 else { return fail(.reason, "reason must be 1–300 characters") }
        if let problem = RecordValidation.nulProblem("reason", trimmed) { return fail(.reason, problem) }
        return .success(MaintenanceRequest(target: target, from: start, to: end, reason: trimmed))
    }

    static let timeHelp = "must be a time: RFC 3339 with an offset (2026-11-24T22:00:00+07:00) or local (2026-11-24 22:00)"

    /// RFC 3339 with a zone, else a local `YYYY-MM-DD HH:MM[:SS]` (or with `T`) in `timeZone`.
    static func time(_ text: String, in timeZone: TimeZone) -> Date? {
        if let exact = Timestamp.parse(text) { return exact }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.count == 16 || trimmed.count == 19 else { return nil }
        let padded = trimmed.count == 16 ? trimmed + ":00" : trimmed
        guard let day = CalendarDay(padded.prefix(10)) else { return nil }
        let clock = padded.dropFirst(11).split(separator: ":").compactMap { Int($0) }
        let separator = padded[padded.index(padded.startIndex, offsetBy: 10)]
        guard separator == " " || separator == "T", clock.count == 3, (0..<24).contains(clock[0]), (0..<60).contains(clock[1]),
            (0..<60).contains(clock[2])
        else { return nil }
        return day.start(in: timeZone).addingTimeInterval(TimeInterval(clock[0] * 3600 + clock[1] * 60 + clock[2]))
    }
}
