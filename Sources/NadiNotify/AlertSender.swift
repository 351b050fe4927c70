package import AsyncHTTPClient
package import Foundation
import NIOCore
import NIOHTTP1
package import NadiCore
import NadiReports
package import NadiStore

/// What one try of a delivery came to.
package struct SendOutcome: Sendable, Equatable {
    package var delivered: Bool
    /// The HTTP status, when there was an answer.
    package var status: Int?
    /// Why it was not delivered, without secrets; or a short note of the answer.
    package var detail: String?
    /// The receiver asked to wait this long (Telegram's 429 `retry_after`, a webhook's Retry-After).
    package var retryAfter: TimeInterval?
    /// The webhook answered 410 Gone: the channel is disabled.
    package var gone = false
    /// Retrying cannot help (a WhatsApp template not approved, no recipient opted in): given up now.
    package var permanent = false
    /// WhatsApp recipients finished with this message (sent, or refused for good): not sent again.
    package var done: [String] = []
}

/// Sends alert messages: webhooks (signed JSON), Telegram's Bot API `sendMessage` and WhatsApp
/// Cloud API template messages.
package struct AlertSender: Sendable {
    let http: HTTPClient
    let timeout: Duration
    let zone: TimeZone
    let publicURL: URL?
    /// Where device pages are under `publicURL` (see `AlertText.devicePath`).
    let devicePath: String

    package init(http: HTTPClient, timeout: Duration = .seconds(10), zone: TimeZone, publicURL: URL?, devicePath: String = "/devices/") {
        self.http = http
        self.timeout = timeout
        self.zone = zone
        self.publicURL = publicURL
        self.devicePath = devicePath
    }

    /// An HTTP client for senders: no redirects (a bot token is in Telegram's path), bounded connect.
    package static func makeHTTPClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(10))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Closes the HTTP client's connections.
    package func shutdown() async {
        try? await http.shutdown()
    }

    /// Sends `payload` to `channel` once; `done` are WhatsApp recipients an earlier try finished.
    package func send(
        _ payload: AlertPayload, eventID: String, to channel: NotifyChannelSecret, done: Set<String> = []
    ) async -> SendOutcome {
        let text = AlertText(language: channel.channel.language, zone: zone, publicURL: publicURL, devicePath: devicePath)
        let outcome: SendOutcome
        do {
            if channel.channel.type == "whatsapp" {
                outcome = await WhatsAppSender(http: http, timeout: timeout).send(payload, text: text, to: channel, done: done)
            } else if let chat = channel.channel.chat {
                outcome = try await telegram(text.telegramHTML(payload), chat: chat, channel: channel)
            } else {
                outcome = try await webhook(WebhookBody(eventID: eventID, payload: payload, text: text), channel: channel)
            }
        } catch {
            outcome = SendOutcome(delivered: false, status: nil, detail: Self.describe(error))
        }
        return outcome.hidingSecret(channel.secret)
    }

    private func webhook(_ body: WebhookBody, channel: NotifyChannelSecret) async throws -> SendOutcome {
        let bytes = try body.data()
        var request = HTTPClientRequest(url: channel.channel.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "nadi-notifier")
        request.headers.add(name: "Nadi-Event-Id", value: body.eventID)
        request.headers.add(name: "Nadi-Signature", value: WebhookSignature.header(body: bytes, secret: channel.secret))
        request.body = .bytes(ByteBuffer(bytes: bytes))
        let response = try await http.execute(request, timeout: .init(timeout))
        let answer = try await response.body.collect(upTo: 64 << 10)
        let status = Int(response.status.code)
        let snippet = String(decoding: answer.readableBytesView.prefix(200), as: UTF8.self)
        if (200..<300).contains(status) { return SendOutcome(delivered: true, status: status, detail: nil) }
        let retryAfter = response.headers.first(name: "Retry-After").flatMap(TimeInterval.init)
        return SendOutcome(
            delivered: false, status: status, detail: "HTTP \(status)" + (snippet.isEmpty ? "" : ": \(snippet)"), retryAfter: retryAfter,
            gone: status == 410)
    }

    /// Telegram's answer to sendMessage.
    struct TelegramAnswer: Decodable {
        struct Parameters: Decodable {
            var retry_after: Double?
        }
        var ok: Bool
        var description: String?
        var error_code: Int?
        var parameters: Parameters?
    }

    private func telegram(_ html: String, chat: String, channel: NotifyChannelSecret) async throws -> SendOutcome {
        let base = channel.channel.url.hasSuffix("/") ? String(channel.channel.url.dropLast()) : channel.channel.url
        var request = HTTPClientRequest(url: "\(base)/bot\(channel.secret)/sendMessage")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "nadi-notifier")
        let message: [String: Any] = ["chat_id": chat, "text": html, "parse_mode": "HTML", "disable_web_page_preview": true]
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: message, options: [.sortedKeys])))
        let response = try await http.execute(request, timeout: .init(timeout))
        let answer = try await response.body.collect(upTo: 64 << 10)
        return Self.telegramOutcome(status: Int(response.status.code), body: Data(answer.readableBytesView))
    }

    /// What Telegram's answer to a Bot API call means.
    static func telegramOutcome(status: Int, body: Data) -> SendOutcome {
        let parsed = try? JSONDecoder().decode(TelegramAnswer.self, from: body)
        if parsed?.ok == true, (200..<300).contains(status) { return SendOutcome(delivered: true, status: status, detail: nil) }
        let said = parsed?.description ?? String(decoding: body.prefix(200), as: UTF8.self)
        var detail = "Telegram answered \(status)" + (said.isEmpty ? "" : ": \(said)")
        switch status {
        case 401: detail += " (the bot token is wrong or revoked)"
        case 400 where said.localizedCaseInsensitiveContains("chat not found"):
            detail += " (check --telegram-chat; add the bot to the group)"
        case 403: detail += " (the bot was removed from the chat or blocked)"
        default: break
        }
        return SendOutcome(delivered: false, status: status, detail: detail, retryAfter: parsed?.parameters?.retry_after)
    }

    /// An error in words, without URLs (a bot token is in Telegram's).
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "could not connect in time"
            case .readTimeout, .deadlineExceeded: return "no answer in time"
            case .remoteConnectionClosed: return "the receiver closed the connection"
            default: return "HTTP client error: \(error)"
            }
        }
        let text = "\(error)"
        if text.localizedCaseInsensitiveContains("connection refused") { return "connection refused" }
        return text
    }
}

extension SendOutcome {
    /// The outcome with every occurrence of `secret` blanked out (a receiver may echo the URL).
    func hidingSecret(_ secret: String) -> SendOutcome {
        var copy = self
        if let detail, !secret.isEmpty { copy.detail = detail.replacingOccurrences(of: secret, with: "***") }
        return copy
    }
}
