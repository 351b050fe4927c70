/// What a channel does with an incident nobody acknowledges (DESIGN.md, "Channels people use,
/// escalation, monthly reports").
///
/// Step 0 is the channel's first message. With `after`, step 1 goes `after` seconds later to
/// `target` (or again to this channel when there is no target); with `repeatEvery`, steps 2, 3, …
/// follow every `repeatEvery` seconds to the same place, at most `maxRepeats` of them. Without
/// `after`, the reminders alone: step k at k × `repeatEvery`. Every step is sent once (the delivery
/// table's key), and none once the incident is acknowledged or over.
package struct EscalationPolicy: Sendable, Equatable {
    /// Seconds after the first message until the escalation.
    package var after: Int?
    /// The channel the escalation and its reminders go to (by name); nil: this channel.
    package var target: String?
    /// Seconds between reminders.
    package var repeatEvery: Int?
    /// How many reminders at most.
    package var maxRepeats: Int

    /// Reminders sent when `--repeat` is given without `--max-repeats`.
    package static let defaultMaxRepeats = 3

    package init(after: Int?, target: String?, repeatEvery: Int?, maxRepeats: Int) {
        self.after = after
        self.target = target
        self.repeatEvery = repeatEvery
        self.maxRepeats = maxRepeats
    }

    /// The last step, or 0 when the policy has none.
    package var lastStep: Int {
        (after == nil ? 0 : 1) + (repeatEvery == nil ? 0 : maxRepeats)
    }

    /// Seconds after the first message at which `step` (1…`lastStep`) is due.
    package func offset(ofStep step: Int) -> Int? {
        guard step >= 1, step <= lastStep else { return nil }
        if let after {
            if step == 1 { return after }
            guard let repeatEvery else { return nil }
            return after + (step - 1) * repeatEvery
        }
        guard let repeatEvery else { return nil }
        return step * repeatEvery
    }

    /// The newest step due `elapsed` seconds after the first message (nil before the first).
    /// A nadid that was away for longer than a step sends only the newest one, not a burst.
    package func dueStep(elapsed: Double) -> Int? {
        var due: Int?
        for step in stride(from: 1, through: lastStep, by: 1) {
            guard let offset = offset(ofStep: step), Double(offset) <= elapsed else { break }
            due = step
        }
        return due
    }

    /// Reads the flags; the failure says which one is wrong and how.
    package static func parse(_ fields: EscalationFields) -> Result<EscalationPolicy?, ChannelProblem> {
        func fail(_ code: ChannelProblem.Code, _ text: String) -> Result<EscalationPolicy?, ChannelProblem> {
            .failure(ChannelProblem(code, text))
        }
        func minutes(_ text: String?, _ flag: String) -> Result<Int?, ChannelProblem> {
            guard let text else { return .success(nil) }
            // A bare number is minutes, as people say it ("escalate after 30").
            let seconds = Int(text).map { $0 * 60 } ?? DurationText.seconds(text)
            guard let seconds, (60...7 * 86_400).contains(seconds) else {
                return .failure(
                    ChannelProblem(.escalationTime, "\(flag) '\(text.prefix(20))' must be 1 minute to 7 days: 30 (minutes), 30m, 2h, 1d"))
            }
            return .success(seconds)
        }
        let after: Int?
        let every: Int?
        switch (minutes(fields.after, "escalate-after"), minutes(fields.repeatEvery, "repeat")) {
        case (.failure(let problem), _), (_, .failure(let problem)): return .failure(problem)
        case (.success(let a), .success(let r)):
            after = a
            every = r
        }
        if fields.target != nil, after == nil { return fail(.escalationTarget, "--to goes with --escalate-after (when to escalate)") }
        if let target = fields.target, !NotifyChannelRequest.isName(target) { return fail(.escalationTarget, "--to must name a channel") }
        if fields.maxRepeats != nil, every == nil { return fail(.escalationRepeats, "--max-repeats goes with --repeat (how often)") }
        if let count = fields.maxRepeats, !(1...100).contains(count) { return fail(.escalationRepeats, "--max-repeats must be 1–100") }
        guard after != nil || every != nil else { return .success(nil) }
        return .success(
            EscalationPolicy(
                after: after, target: fields.target, repeatEvery: every,
                maxRepeats: every == nil ? 0 : (fields.maxRepeats ?? defaultMaxRepeats)))
    }
}

/// The escalation flags of `nadi notify add`, as typed.
package struct EscalationFields: Sendable, Equatable {
    package var after: String?
    package var target: String?
    package var repeatEvery: String?
    package var maxRepeats: Int?

    package init(after: String?, target: String?, repeatEvery: String?, maxRepeats: Int?) {
        self.after = after
        self.target = target
        self.repeatEvery = repeatEvery
        self.maxRepeats = maxRepeats
    }
}
