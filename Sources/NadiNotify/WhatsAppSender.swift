import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NadiCore
import NadiReports
import NadiStore

/// Meta's WhatsApp Business Cloud API: `POST {api}/{phone-number-id}/messages` with a template
/// message, one request per recipient, `Authorization: Bearer <access token>`.
struct WhatsAppSender: Sendable {
    let http: HTTPClient
    let timeout: Duration

    /// How the Cloud API answered one request.
    enum Answer: Equatable {
        case sent
        /// Throughput or pair rate limit: wait and try again (Retry-After, when given).
        case rateLimited(detail: String, retryAfter: TimeInterval?)
        /// This recipient cannot get it (not opted in, not a WhatsApp number, …): not retried.
        case recipientRefused(detail: String)
        /// The template is missing, not approved, paused or has other parameters: no recipient can
        /// get it until an admin fixes the template, so the message is given up.
        case templateRefused(detail: String)
        /// Anything else (5xx, token, network): tried again with backoff.
        case failed(status: Int?, detail: String)
    }

    /// Codes the Cloud API documents for a recipient that cannot receive the message.
    static let recipientCodes: Set<Int> = [131_026, 131_030, 131_047, 131_021, 131_049, 131_050]
    /// Codes for a template that cannot be sent as asked.
    static let templateCodes: Set<Int> = [132_000, 132_001, 132_005, 132_007, 132_012, 132_015, 132_016, 132_068, 132_069]
    /// Codes for rate limits.
    static let rateCodes: Set<Int> = [4, 80_007, 130_429, 131_048, 131_056]

    /// Sends `payload` as a template to every recipient of `channel` not in `done`.
    /// Stops at the first rate limit or transient failure, so the rest waits for the retry in order.
    func send(_ payload: AlertPayload, text: AlertText, to channel: NotifyChannelSecret, done: Set<String>) async -> SendOutcome {
        guard let phoneID = channel.channel.chat, let templates = channel.channel.templates else {
            return SendOutcome(delivered: false, status: nil, detail: "the channel has no phone-number id or templates", permanent: true)
        }
        let template = payload.kind == .recovery ? templates.recovery : templates.incident
        let parameters = text.whatsappParameters(payload)
        var finished: [String] = []
        var refusals: [String] = []
        var lastStatus: Int?
        var reachedAny = !done.isEmpty
        for recipient in channel.channel.recipients ?? [] where !done.contains(recipient) {
            let answer: Answer
            do {
                (answer, lastStatus) = try await post(
                    template: template, language: text.language, parameters: parameters, to: recipient, phoneID: phoneID, channel: channel)
            } catch {
                answer = .failed(status: nil, detail: AlertSender.describe(error))
            }
            switch answer {
            case .sent:
                finished.append(recipient)
                reachedAny = true
            case .recipientRefused(let detail):
                finished.append(recipient)
                refusals.append("\(recipient): \(detail)")
            case .templateRefused(let detail):
                return SendOutcome(
                    delivered: false, status: lastStatus, detail: "template '\(template)' refused: \(detail)", permanent: true,
                    done: finished)
            case .rateLimited(let detail, let retryAfter):
                return SendOutcome(
                    delivered: false, status: lastStatus, detail: Self.joined(refusals + ["\(recipient): \(detail)"]),
                    retryAfter: retryAfter, done: finished)
            case .failed(let status, let detail):
                return SendOutcome(
                    delivered: false, status: status, detail: Self.joined(refusals + ["\(recipient): \(detail)"]), done: finished)
            }
        }
        if reachedAny {
            return SendOutcome(delivered: true, status: lastStatus, detail: refusals.isEmpty ? nil : Self.joined(refusals), done: finished)
        }
        return SendOutcome(
            delivered: false, status: lastStatus, detail: Self.joined(refusals + ["no recipient could receive it"]), permanent: true,
            done: finished)
    }

    static func joined(_ parts: [String]) -> String { parts.joined(separator: "; ") }

    /// The Cloud API's error object.
    struct ErrorAnswer: Decodable {
        struct Body: Decodable {
            struct Data: Decodable { var details: String? }
            var message: String?
            var code: Int?
            var error_data: Data?
        }
        var error: Body
    }

    private func post(
        template: String, language: MessageLanguage, parameters: [String], to recipient: String, phoneID: String,
        channel: NotifyChannelSecret
    ) async throws -> (Answer, Int) {
        let base = channel.channel.url.hasSuffix("/") ? String(channel.channel.url.dropLast()) : channel.channel.url
        var request = HTTPClientRequest(url: "\(base)/\(phoneID)/messages")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "nadi-notifier")
        request.headers.add(name: "Authorization", value: "Bearer \(channel.secret)")
        let body: [String: Any] = [
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": recipient, "type": "template",
            "template": [
                "name": template, "language": ["code": language.rawValue],
                "components": [["type": "body", "parameters": parameters.map { ["type": "text", "text": $0] }]],
            ],
        ]
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])))
        let response = try await http.execute(request, timeout: .init(timeout))
        let bytes = try await response.body.collect(upTo: 64 << 10)
        let status = Int(response.status.code)
        return (
            Self.classify(status: status, body: Data(bytes.readableBytesView), retryAfter: response.headers.first(name: "Retry-After")),
            status
        )
    }

    /// What an answer means for this recipient and this message.
    static func classify(status: Int, body: Data, retryAfter: String?) -> Answer {
        let parsed = try? JSONDecoder().decode(ErrorAnswer.self, from: body)
        if (200..<300).contains(status), parsed == nil { return .sent }
        let code = parsed?.error.code
        let said = [parsed?.error.message, parsed?.error.error_data?.details].compactMap { $0 }.joined(separator: ": ")
        let words = (said.isEmpty ? "HTTP \(status)" : said) + (code.map { " (\($0))" } ?? "")
        if status == 429 || code.map(rateCodes.contains) == true {
            return .rateLimited(detail: "rate limited: \(words)", retryAfter: retryAfter.flatMap(TimeInterval.init))
        }
        if let code, recipientCodes.contains(code) {
            let hint =
                code == 131_030 || code == 131_047
                ? " — the number has not opted in (or is not on the test number's allowed list)" : ""
            return .recipientRefused(detail: words + hint)
        }
        if let code, templateCodes.contains(code) {
            return .templateRefused(detail: words + " — check the template's name, language and approval in WhatsApp Manager")
        }
        if status == 401 || code == 190 { return .failed(status: status, detail: "the access token is invalid or expired: \(words)") }
        return .failed(status: status, detail: "WhatsApp answered \(status): \(words)")
    }
}
