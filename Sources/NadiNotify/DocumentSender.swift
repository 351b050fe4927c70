import AsyncHTTPClient
package import Foundation
import NIOCore
import NIOHTTP1
import NadiCore
package import NadiStore

/// A report file for a channel: a PDF (or HTML, CSV) with a caption, and where the console offers it.
package struct ReportDocument: Sendable {
    package var data: Data
    package var filename: String
    package var mimeType: String
    package var caption: String
    /// The console's download address, when the public address is known (what a webhook gets).
    package var link: String?
    package var region: String
    package var month: String
    /// The same on every try (the webhook's `Nadi-Event-Id`).
    package var eventID: String

    package init(
        data: Data, filename: String, mimeType: String, caption: String, link: String?, region: String, month: String, eventID: String
    ) {
        self.data = data
        self.filename = filename
        self.mimeType = mimeType
        self.caption = caption
        self.link = link
        self.region = region
        self.month = month
        self.eventID = eventID
    }
}

/// `multipart/form-data` for the Bot API's `sendDocument` and the Cloud API's `media` upload.
struct MultipartForm {
    let boundary = "nadi-\(UUID().uuidString)"
    private(set) var body = Data()

    mutating func field(_ name: String, _ value: String) {
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
    }

    mutating func file(_ name: String, filename: String, type: String, data: Data) {
        let safe = filename.filter { $0 != "\"" && $0 != "\r" && $0 != "\n" }
        body.append(
            Data(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(safe)\"\r\nContent-Type: \(type)\r\n\r\n"
                    .utf8))
        body.append(data)
        body.append(Data("\r\n".utf8))
    }

    func finished() -> Data { body + Data("--\(boundary)--\r\n".utf8) }
    var contentType: String { "multipart/form-data; boundary=\(boundary)" }
}

extension AlertSender {
    /// Sends a report file: Telegram `sendDocument`, WhatsApp a document message (the file uploaded
    /// to the Cloud API's media endpoint first) to each recipient not in `done`, a webhook a signed
    /// JSON body with the console's link.
    package func send(document: ReportDocument, to channel: NotifyChannelSecret) async -> SendOutcome {
        let outcome: SendOutcome
        do {
            switch channel.channel.type {
            case "telegram": outcome = try await telegramDocument(document, channel: channel)
            case "whatsapp": outcome = try await whatsappDocument(document, channel: channel)
            default: outcome = try await webhookDocument(document, channel: channel)
            }
        } catch {
            outcome = SendOutcome(delivered: false, status: nil, detail: Self.describe(error))
        }
        return outcome.hidingSecret(channel.secret)
    }

    private func post(_ url: String, contentType: String, body: Data, headers: [(String, String)] = []) async throws -> (Int, Data, String?)
    {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.headers.add(name: "User-Agent", value: "nadi-notifier")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await http.execute(request, timeout: .init(timeout + .seconds(50)))
        let answer = try await response.body.collect(upTo: 64 << 10)
        return (Int(response.status.code), Data(answer.readableBytesView), response.headers.first(name: "Retry-After"))
    }

    private func base(_ channel: NotifyChannelSecret) -> String {
        channel.channel.url.hasSuffix("/") ? String(channel.channel.url.dropLast()) : channel.channel.url
    }

    private func telegramDocument(_ document: ReportDocument, channel: NotifyChannelSecret) async throws -> SendOutcome {
        var form = MultipartForm()
        form.field("chat_id", channel.channel.chat ?? "")
        form.field("caption", String(document.caption.prefix(1024)))
        form.file("document", filename: document.filename, type: document.mimeType, data: document.data)
        let (status, body, _) = try await post(
            "\(base(channel))/bot\(channel.secret)/sendDocument", contentType: form.contentType, body: form.finished())
        return Self.telegramOutcome(status: status, body: body)
    }

    private func whatsappDocument(_ document: ReportDocument, channel: NotifyChannelSecret) async throws -> SendOutcome {
        guard let phoneID = channel.channel.chat else {
            return SendOutcome(delivered: false, status: nil, detail: "the channel has no phone-number id", permanent: true)
        }
        let authorization = [("Authorization", "Bearer \(channel.secret)")]
        var form = MultipartForm()
        form.field("messaging_product", "whatsapp")
        form.field("type", document.mimeType)
        form.file("file", filename: document.filename, type: document.mimeType, data: document.data)
        let (uploadStatus, uploaded, retryAfter) = try await post(
            "\(base(channel))/\(phoneID)/media", contentType: form.contentType, body: form.finished(), headers: authorization)
        struct Media: Decodable { var id: String }
        guard (200..<300).contains(uploadStatus), let media = try? JSONDecoder().decode(Media.self, from: uploaded) else {
            switch WhatsAppSender.classify(status: uploadStatus, body: uploaded, retryAfter: retryAfter) {
            case .rateLimited(let detail, let wait):
                return SendOutcome(delivered: false, status: uploadStatus, detail: "media upload: \(detail)", retryAfter: wait)
            case .recipientRefused(let detail), .templateRefused(let detail), .failed(_, let detail):
                return SendOutcome(delivered: false, status: uploadStatus, detail: "media upload: \(detail)")
            case .sent: return SendOutcome(delivered: false, status: uploadStatus, detail: "media upload: no media id in the answer")
            }
        }
        var refusals: [String] = []
        var reached = 0
        for recipient in channel.channel.recipients ?? [] {
            let message: [String: Any] = [
                "messaging_product": "whatsapp", "recipient_type": "individual", "to": recipient, "type": "document",
                "document": ["id": media.id, "filename": document.filename, "caption": String(document.caption.prefix(1024))],
            ]
            let bytes = try JSONSerialization.data(withJSONObject: message, options: [.sortedKeys])
            let (status, body, wait) = try await post(
                "\(base(channel))/\(phoneID)/messages", contentType: "application/json", body: bytes, headers: authorization)
            switch WhatsAppSender.classify(status: status, body: body, retryAfter: wait) {
            case .sent: reached += 1
            case .recipientRefused(let detail), .templateRefused(let detail): refusals.append("\(recipient): \(detail)")
            case .rateLimited(let detail, let wait):
                return SendOutcome(delivered: false, status: status, detail: "\(recipient): \(detail)", retryAfter: wait)
            case .failed(let status, let detail): return SendOutcome(delivered: false, status: status, detail: "\(recipient): \(detail)")
            }
        }
        let detail = refusals.isEmpty ? nil : refusals.joined(separator: "; ")
        return reached > 0
            ? SendOutcome(delivered: true, status: 200, detail: detail)
            : SendOutcome(delivered: false, status: nil, detail: detail ?? "no recipient", permanent: true)
    }

    private func webhookDocument(_ document: ReportDocument, channel: NotifyChannelSecret) async throws -> SendOutcome {
        var fields: [String: Any] = [
            "type": "report.monthly", "event_id": document.eventID, "channel": channel.channel.name, "region": document.region,
            "month": document.month, "message": document.caption, "filename": document.filename,
        ]
        fields["url"] = document.link ?? NSNull()
        let body = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])
        let (status, answer, retryAfter) = try await post(
            channel.channel.url, contentType: "application/json", body: body,
            headers: [
                ("Nadi-Event-Id", document.eventID), ("Nadi-Signature", WebhookSignature.header(body: body, secret: channel.secret)),
            ])
        if (200..<300).contains(status) { return SendOutcome(delivered: true, status: status, detail: nil) }
        let snippet = String(decoding: answer.prefix(200), as: UTF8.self)
        return SendOutcome(
            delivered: false, status: status, detail: "HTTP \(status)" + (snippet.isEmpty ? "" : ": \(snippet)"),
            retryAfter: retryAfter.flatMap(TimeInterval.init), gone: status == 410)
    }
}
