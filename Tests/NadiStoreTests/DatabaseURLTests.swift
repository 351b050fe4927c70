import NadiStore
import Testing

@Suite("Database URLs as libpq reads them")
struct DatabaseURLTests {
    @Test("one server: TCP with port and TLS mode, or a socket directory")
    func oneServer() throws {
        let tcp = try DatabaseURL(parsing: "postgres://nadi:secret@db.kota.go.id:6432/nadi?sslmode=require")
        #expect(tcp.endpoints == [.tcp(host: "db.kota.go.id", port: 6432)])
        #expect(tcp.password == "secret")
        #expect(tcp.sslMode == .require)
        #expect(!tcp.needsServerSelection)
        let socket = try DatabaseURL(parsing: "postgres://nadi@/nadi?host=/run/postgresql")
        #expect(socket.endpoints == [.unixSocket(directory: "/run/postgresql", port: 5432)])
    }

    @Test("several servers in the authority or in host=, ports one for all or one each, target_session_attrs")
    func severalServers() throws {
        let listed = try DatabaseURL(parsing: "postgres://nadi@db1,db2:5433/nadi?target_session_attrs=read-write")
        #expect(listed.endpoints == [.tcp(host: "db1", port: 5432), .tcp(host: "db2", port: 5433)])
        #expect(listed.targetSessionAttributes == .readWrite)
        #expect(listed.database == "nadi")
        #expect(listed.username == "nadi")
        #expect(listed.needsServerSelection)
        let sockets = try DatabaseURL(parsing: "postgres://nadi@/nadi?host=/run/a,/run/b&port=5432,5433")
        #expect(sockets.endpoints == [.unixSocket(directory: "/run/a", port: 5432), .unixSocket(directory: "/run/b", port: 5433)])
        let shared = try DatabaseURL(parsing: "postgres://nadi@/nadi?host=h1,h2&port=6000")
        #expect(shared.endpoints == [.tcp(host: "h1", port: 6000), .tcp(host: "h2", port: 6000)])
        // What a child process is handed reads back the same.
        let again = try DatabaseURL(parsing: listed.connectionString)
        #expect(again.endpoints == listed.endpoints)
        #expect(again.targetSessionAttributes == .readWrite)
        #expect(listed.description.contains("db1,db2") && listed.description.contains("target_session_attrs=read-write"))
    }

    @Test("a wrong list says what is wrong")
    func wrongLists() {
        #expect(throws: DatabaseURLError.self) { try DatabaseURL(parsing: "postgres://nadi@/nadi?host=h1,h2,h3&port=1,2") }
        #expect(throws: DatabaseURLError.self) { try DatabaseURL(parsing: "postgres://nadi@db1,,db2/nadi") }
        #expect(throws: DatabaseURLError.self) { try DatabaseURL(parsing: "postgres://nadi@db1/nadi?target_session_attrs=standby") }
    }
}
