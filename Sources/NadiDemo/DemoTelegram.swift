import Foundation
import Hummingbird
import Logging
import NadiCore
import NadiStore
import PostgresNIO
import Synchronization

/// A stand-in for Telegram's Bot API inside the demo nadid, so a newcomer sees the alerts an ops
/// group would get without a bot: the demo's channel `demo-telegram` sends `sendMessage` here, and
/// `GET /demo/telegram` shows what arrived (newest last, as a chat reads).
final class DemoTelegram: Sendable {
    /// The bot token of the demo channel (a stand-in: no real bot has it).
    static let token = "1000000001:demo-stand-in-token"
    static let chat = "-1001000000001"

    private let messages = Mutex<[(at: Date, text: String)]>([])
    let zone: TimeZone

    init(zone: TimeZone) { self.zone = zone }

    /// `POST /demo/telegram/bot<token>/sendMessage`, `…/sendDocument` (a scheduled monthly report)
    /// and `GET /demo/telegram`.
    func addRoutes(to router: Router<some RequestContext>) {
        router.post("demo/telegram/*/sendMessage") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 16)
            let json = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any]
            guard let text = json?["text"] as? String, json?["chat_id"] as? String == Self.chat else {
                return Self.answer(#"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#, status: .badRequest)
            }
            self.messages.withLock { list in
                list.append((Date(), text))
                if list.count > 200 { list.removeFirst(list.count - 200) }
            }
            return Self.answer(#"{"ok":true,"result":{"message_id":1}}"#, status: .ok)
        }
        router.post("demo/telegram/*/sendDocument") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 16 << 20)
            // Multipart: the chat id, the caption, and the file; the demo shows its name and size.
            let text = String(decoding: body.readableBytesView, as: UTF8.self)
            func field(_ name: String) -> String? {
                guard let start = text.range(of: "name=\"\(name)\"\r\n\r\n") else { return nil }
                return text[start.upperBound...].components(separatedBy: "\r\n").first
            }
            guard field("chat_id") == Self.chat else {
                return Self.answer(#"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#, status: .badRequest)
            }
            let filename = text.range(of: "filename=\"").flatMap { text[$0.upperBound...].split(separator: "\"").first }.map(String.init)
            let line = "📄 \(filename ?? "document") (\(body.readableBytes / 1024) KiB): \(field("caption") ?? "")"
            self.messages.withLock { list in
                list.append((Date(), line))
                if list.count > 200 { list.removeFirst(list.count - 200) }
            }
            return Self.answer(#"{"ok":true,"result":{"message_id":2}}"#, status: .ok)
        }
        router.get("demo/telegram") { _, _ -> Response in
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = self.zone
            formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
            let lines = self.messages.withLock { $0 }.map { "[\(formatter.string(from: $0.at))] \($0.text)\n" }
            let text =
                lines.isEmpty
                ? "No alerts yet: the demo's fiber link PLG-FO-2 is cut at minutes 10–19 of every half hour; the message follows 4 minutes later.\n"
                : lines.joined(separator: "\n")
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    private static func answer(_ json: String, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    /// Adds the demo's channel (once): Telegram through this stand-in, all of the city, alerts after 4
    /// minutes (past the 3 missed heartbeats that make the cameras behind a cut link silent).
    static func addChannel(base: String, client: DatabaseClient, logger: Logger) async throws {
        let store = ChannelStore(client: client, logger: logger)
        guard try await store.named("demo-telegram") == nil, let api = URL(string: base + "/demo/telegram") else { return }
        _ = try await store.add(
            NotifyChannelRequest(
                name: "demo-telegram", region: RegionCode("16.71"), kinds: nil, minDownSeconds: 240, language: .id,
                target: .telegram(chat: chat, api: api), secret: token))
    }
}
