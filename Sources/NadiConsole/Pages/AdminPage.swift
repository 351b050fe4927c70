import Foundation
import Hummingbird
import Logging
import NadiCore
import NadiReports
import NadiStore

extension ConsoleController {
    /// Pengaturan / Administration (admins only): the console users and the alert channels within
    /// the admin's region subtree, with forms to add users and channels, disable users, set their
    /// passwords and remove channels. Everything else answers 404, as for a page that is not there.
    /// With `problem`, the page answers a refused form (422) and says why.
    func admin(_ request: PageContext, problem: ConsoleProblem? = nil) async throws -> Response {
        guard let session = adminSession(request) else { throw PageNotFound() }
        let context = problem == nil ? request : request.answering(for: "/admin")
        let language = context.language
        let words = ConsoleCatalog.words(language)
        let ceiling = session.user.region
        let users = try await self.users.list().filter { user in Self.manages(ceiling, user.region) }
        let channels = try await ChannelStore(client: client, logger: logger).list().filter { channel in
            Self.manages(ceiling, channel.region.flatMap(RegionCode.init))
        }
        var page = common(context, title: "nav_admin", active: "/admin")
        page["users"] = users.map { user -> [String: Any] in
            [
                "name": user.name, "region": user.region?.rawValue ?? "ID",
                "role": words["role_" + user.role.rawValue] ?? user.role.rawValue,
                "created": minutes(user.createdAt), "disabled": user.disabledAt != nil, "is_self": user.id == session.user.id,
            ]
        }
        page["channels"] = channels.map { channel -> [String: Any] in
            [
                "name": channel.name, "type": channel.type, "destination": channel.destination, "region": channel.region ?? "ID",
                "kinds": (channel.kinds ?? []).compactMap { DeviceKind(rawValue: $0).map { ConsoleCatalog.kind($0, language) } }
                    .joined(separator: ", "),
                "min_down": DurationText.spoken(Double(channel.minDownSeconds), language: language),
                "lang": channel.language.rawValue, "state": channel.disabledReason ?? "",
                "escalation": Self.escalation(channel, words: words, language: language),
            ]
        }
        page["default_region"] = ceiling?.rawValue ?? ""
        page["roles"] = ConsoleRole.allCases.map { ["value": $0.rawValue, "label": words["role_" + $0.rawValue] ?? $0.rawValue] }
        page["kinds"] = DeviceKind.allCases.map { ["value": $0.rawValue, "label": ConsoleCatalog.kind($0, language)] }
        page["saved"] = context.parameter("saved").map { words["admin_saved_" + $0] ?? "" } ?? ""
        page["problem"] = problem?.text(language) ?? ""
        return renderer.page("admin", page, status: problem == nil ? .ok : .unprocessableContent)
    }

    /// True when an admin of `ceiling` (nil: all of Indonesia) manages something of `region`
    /// (nil: all of Indonesia): the region lies in the admin's subtree.
    static func manages(_ ceiling: RegionCode?, _ region: RegionCode?) -> Bool {
        guard let ceiling else { return true }
        guard let region else { return false }
        return region.isWithin(ceiling)
    }

    /// `POST /admin/users`: create a user (name, region, role, password twice).
    func adminCreateUser(_ context: PageContext, _ fields: [String: String]) async throws -> Response {
        guard let session = adminSession(context) else { return errorPage(context, status: .forbidden, key: "forbidden") }
        let regionText = (fields["region"] ?? "").trimmingCharacters(in: .whitespaces)
        let region = regionText.isEmpty ? nil : RegionCode(regionText)
        guard regionText.isEmpty || region != nil else {
            return try await admin(context, problem: ConsoleProblem("region_invalid"))
        }
        guard Self.manages(session.user.region, region) else {
            return try await admin(context, problem: ConsoleProblem("region_outside"))
        }
        guard let role = ConsoleRole(rawValue: fields["role"] ?? "") else {
            return try await admin(context, problem: ConsoleProblem("role_invalid"))
        }
        let password = fields["password"] ?? ""
        guard password == fields["password2"] else { return try await admin(context, problem: ConsoleProblem("passwords_differ")) }
        do {
            _ = try await users.create(name: fields["name"] ?? "", region: region, role: role, password: password)
        } catch let refused as ConsoleUserError {
            return try await admin(context, problem: ConsoleProblem(refused))
        }
        logger.notice("console user created", metadata: ["by": "\(session.user.name)", "user": "\(fields["name"] ?? "")"])
        return adminBack(saved: "user")
    }

    /// `POST /admin/users/disable` and `POST /admin/users/password`: a user within the admin's region.
    func adminChangeUser(_ context: PageContext, _ fields: [String: String], disable: Bool) async throws -> Response {
        guard let session = adminSession(context) else { return errorPage(context, status: .forbidden, key: "forbidden") }
        let name = fields["name"] ?? ""
        guard let user = try await users.list().first(where: { $0.name == name }), Self.manages(session.user.region, user.region) else {
            return try await admin(context, problem: ConsoleProblem("no_user"))
        }
        if disable {
            guard user.id != session.user.id else { return try await admin(context, problem: ConsoleProblem("disable_self")) }
            _ = try await users.disable(name: name)
            logger.notice("console user disabled", metadata: ["by": "\(session.user.name)", "user": "\(name)"])
            return adminBack(saved: "disabled")
        }
        let password = fields["password"] ?? ""
        guard password == fields["password2"] else { return try await admin(context, problem: ConsoleProblem("passwords_differ")) }
        do {
            _ = try await users.setPassword(name: name, password: password)
        } catch let refused as ConsoleUserError {
            return try await admin(context, problem: ConsoleProblem(refused))
        }
        return adminBack(saved: "password")
    }

    /// `POST /admin/channels`: add a webhook or a Telegram chat, as `nadi notify add` does.
    func adminAddChannel(_ context: PageContext, _ fields: [String: String]) async throws -> Response {
        guard let session = adminSession(context) else { return errorPage(context, status: .forbidden, key: "forbidden") }
        func field(_ key: String) -> String? {
            let value = (fields[key] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            return value.isEmpty ? nil : value
        }
        let kinds = DeviceKind.allCases.map(\.rawValue).filter { fields["kind_" + $0] != nil }
        let type = field("type") ?? "telegram"
        let telegram = type == "telegram"
        let whatsapp =
            type == "whatsapp"
            ? WhatsAppFields(
                phoneNumberID: field("wa_phone_id") ?? "", recipients: field("wa_to") ?? "", incidentTemplate: field("wa_incident"),
                recoveryTemplate: field("wa_recovery"), api: field("url")) : nil
        let escalationKeys = ["escalate_after", "escalate_to", "repeat", "max_repeats"]
        var escalation: EscalationFields?
        if escalationKeys.contains(where: { field($0) != nil }) {
            guard field("max_repeats").map({ Int($0) != nil }) ?? true else {
                return try await admin(context, problem: ConsoleProblem("max_repeats"))
            }
            escalation = EscalationFields(
                after: field("escalate_after"), target: field("escalate_to"), repeatEvery: field("repeat"),
                maxRepeats: field("max_repeats").flatMap { Int($0) })
        }
        let parsed = NotifyChannelRequest.parse(
            name: field("name") ?? "", region: field("region"), kinds: kinds.isEmpty ? nil : kinds.joined(separator: ","),
            minDown: field("min_down"), language: field("lang"), webhook: type == "webhook" ? field("url") : nil,
            telegramChat: telegram ? field("chat") : nil, telegramAPI: telegram ? field("url") : nil, secret: field("secret") ?? "",
            whatsapp: whatsapp, escalation: escalation, escalationOnly: fields["escalation_only"] != nil)
        let request: NotifyChannelRequest
        switch parsed {
        case .failure(let problem): return try await admin(context, problem: ConsoleProblem(problem.code.rawValue))
        case .success(let value): request = value
        }
        guard Self.manages(session.user.region, request.region) else {
            return try await admin(context, problem: ConsoleProblem("region_outside"))
        }
        do {
            _ = try await ChannelStore(client: client, logger: logger).add(request)
        } catch let refused as NotifyChannelRefused {
            return try await admin(context, problem: ConsoleProblem(refused.code.rawValue))
        }
        logger.notice("alert channel added", metadata: ["by": "\(session.user.name)", "channel": "\(request.name)"])
        return adminBack(saved: "channel")
    }

    /// `30 menit ke kadis-wa, lalu tiap 1 jam (≤ 3)`, or empty.
    static func escalation(_ channel: NotifyChannel, words: [String: String], language: MessageLanguage) -> String {
        guard let policy = channel.escalation else { return channel.escalationOnly ? (words["escalation_only"] ?? "") : "" }
        var parts: [String] = []
        if let after = policy.after {
            parts.append(
                "\(DurationText.spoken(Double(after), language: language)) \(words["escalation_to"] ?? "") \(policy.target ?? words["escalation_itself"] ?? "")"
            )
        }
        if let every = policy.repeatEvery {
            parts.append(
                "\(words["escalation_every"] ?? "") \(DurationText.spoken(Double(every), language: language)) (≤ \(policy.maxRepeats))")
        }
        return parts.joined(separator: ", ")
    }

    /// `POST /admin/channels/remove`: a channel within the admin's region.
    func adminRemoveChannel(_ context: PageContext, _ fields: [String: String]) async throws -> Response {
        guard let session = adminSession(context) else { return errorPage(context, status: .forbidden, key: "forbidden") }
        let name = fields["name"] ?? ""
        let store = ChannelStore(client: client, logger: logger)
        guard let channel = try await store.list().first(where: { $0.name == name }),
            Self.manages(session.user.region, channel.region.flatMap(RegionCode.init))
        else { return try await admin(context, problem: ConsoleProblem("no_channel")) }
        _ = try await store.remove(name)
        logger.notice("alert channel removed", metadata: ["by": "\(session.user.name)", "channel": "\(name)"])
        return adminBack(saved: "removed")
    }

    /// The signed-in session when its user is an admin.
    func adminSession(_ context: PageContext) -> ConsoleSession? {
        guard let session = context.session, session.user.role == .admin else { return nil }
        return session
    }

    /// Back to the admin page after a change, saying what was saved (`admin_saved_<saved>`).
    func adminBack(saved: String) -> Response {
        Response(status: .seeOther, headers: [.location: "/admin?saved=" + saved])
    }
}
