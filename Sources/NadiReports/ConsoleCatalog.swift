package import NadiCore

/// The words of the web console, in Bahasa Indonesia (the default) and English. Templates read
/// them as `{{t.key}}`; a key missing from English falls back to Indonesian, so no page shows a
/// blank label.
package enum ConsoleCatalog {
    /// Every word of `language`.
    package static func words(_ language: MessageLanguage) -> [String: String] {
        guard language == .en else { return indonesian }
        return indonesian.merging(english) { _, english in english }
    }

    /// A device kind as people name it.
    package static func kind(_ kind: DeviceKind, _ language: MessageLanguage) -> String {
        switch (kind, language) {
        case (.fiberLink, .id): "Link fiber"
        case (.fiberLink, .en): "Fiber link"
        case (.cctv, _): "CCTV"
        case (.videotron, _): "Videotron"
        case (.attendance, .id): "Mesin absensi"
        case (.attendance, .en): "Attendance device"
        }
    }

    /// A device state as people name it.
    /// A state's or ping's reason as people read it: a picture problem in words with its code
    /// (`gambar beku (image_frozen)`), anything else as sent.
    package static func reason(_ reason: String?, _ language: MessageLanguage) -> String {
        guard let reason else { return "" }
        guard let problem = PictureProblem(reason: reason) else { return reason }
        return "\(AlertText.pictureProblem(problem, language: language)) (\(reason))"
    }

    package static func status(_ status: String, _ language: MessageLanguage) -> String {
        switch (status, language) {
        case ("up", .id): "hidup"
        case ("degraded", .id): "terganggu"
        case ("down", .id): "mati"
        case ("up", _): "up"
        case ("degraded", _): "degraded"
        case ("down", _): "down"
        case (_, .id): "belum diketahui"
        default: "unknown"
        }
    }

    /// Why a device is not operational, as people name it.
    package static func cause(_ cause: Cause, _ language: MessageLanguage) -> String {
        switch (cause, language) {
        case (.own, .id): "perangkat sendiri"
        case (.own, .en): "own failure"
        case (.upstream, .id): "hulu terputus"
        case (.upstream, .en): "upstream down"
        case (.maintenance, .id): "pemeliharaan"
        case (.maintenance, .en): "maintenance"
        }
    }

    static let indonesian: [String: String] = [
        "app": "Nadi — infrastruktur kota cerdas",
        "nav_overview": "Ringkasan", "nav_devices": "Perangkat", "nav_coverage": "Cakupan", "nav_uptime": "Uptime",
        "nav_schools": "Sekolah", "logout": "Keluar", "login": "Masuk", "lang_switch": "English", "lang_other": "en",
        "user": "Pengguna", "password": "Kata sandi", "login_title": "Masuk ke konsol Nadi",
        "login_failed": "Nama pengguna atau kata sandi salah.",
        "login_limited": "Terlalu banyak percobaan yang gagal. Coba lagi dalam beberapa menit.",
        "login_busy": "Terlalu banyak percobaan masuk saat ini. Coba lagi sebentar lagi.",
        "retroactive_note":
            "Angka di halaman ini diubah oleh jendela pemeliharaan retroaktif (dibuat setelah waktu yang dicakupnya):",
        "created_on": "dibuat",
        "outside_region": "perangkat di luar wilayah Anda",
        "schools_unit": "sekolah",
        "covered_unit": "terliput",
        "created_by": "oleh",
        "logged_out": "Anda sudah keluar.",
        "region": "Wilayah", "kind": "Jenis", "state": "Status", "cause": "Penyebab", "search": "Cari",
        "all": "Semua", "filter": "Saring", "download_csv": "Unduh CSV", "download_geojson": "Unduh GeoJSON",
        "id": "ID", "name": "Nama", "since": "Sejak", "last_seen": "Terakhir terlihat", "never": "belum pernah",
        "devices_by_state": "Perangkat menurut jenis dan status", "total": "Jumlah",
        "open_incidents": "Gangguan terbuka", "root": "Akar masalah", "dependents_down": "Perangkat terdampak",
        "no_incidents": "Tidak ada gangguan terbuka.", "silent_longest": "Paling lama tidak berkabar",
        "no_silent": "Semua perangkat berkabar.", "maintenance_now": "Pemeliharaan berlangsung",
        "no_maintenance": "Tidak ada pemeliharaan saat ini.", "newest_ping": "Ping terbaru", "reason": "Alasan",
        "until": "sampai", "shown": "ditampilkan", "of": "dari", "capped": "Hanya baris pertama yang ditampilkan; persempit saringan.",
        "no_devices": "Tidak ada perangkat yang cocok.",
        "timeline": "Riwayat status", "uptime": "Uptime", "sla": "SLA", "last_pings": "Ping terakhir",
        "latency": "Latensi (ms)", "metrics": "Metrik", "upstream": "Hulu", "dependents": "Bergantung padanya",
        "none": "tidak ada", "installed": "Terpasang", "operational": "Beroperasi", "target": "Target",
        "achievement": "Capaian", "next_milestone": "Tonggak berikut", "status_met": "tercapai", "status_behind": "tertinggal",
        "status_no_target": "tanpa target", "trajectory": "Lintasan pemasangan", "milestones": "Tonggak masterplan",
        "projection": "Proyeksi", "target_met": "Target sudah tercapai.", "no_target": "Belum ada target masterplan.",
        "stalled": "Dengan laju 12 bulan terakhir, target tidak tercapai.",
        "reached_prefix": "Dengan laju 12 bulan terakhir, target", "reached_middle": "sebesar", "reached_suffix": "tercapai pada tahun",
        "pace": "Laju pemasangan", "per_month": "per bulan", "drill_up": "Naik satu tingkat",
        "window": "Rentang", "by_region": "Menurut wilayah", "by_device": "Menurut perangkat (terendah dulu)",
        "devices": "Perangkat", "own_down": "Mati sendiri", "upstream_down": "Karena hulu", "maintenance": "Pemeliharaan",
        "schools_title": "Sekolah dan CCTV", "schools": "Sekolah", "covered": "Terpantau", "coverage_pct": "Cakupan",
        "level": "Jenjang", "kecamatan": "Kecamatan", "map": "Peta sekolah", "map_covered": "ada kamera berfungsi",
        "map_broken": "kamera mati", "map_none": "belum ada kamera",
        "public_title": "Kamera sekolah", "public_search_hint": "Cari nama sekolah atau NPSN",
        "public_working": "Kamera publik sekolah ini berfungsi sekarang.",
        "public_not_working": "Belum ada kamera publik yang berfungsi sekarang.",
        "public_streams": "Tautan siaran", "public_pictures": "Gambar tiap kamera publik",
        "picture_good": "gambar baik", "picture_black": "gambar gelap", "picture_frozen": "gambar beku",
        "picture_blurred": "gambar buram", "picture_fps_low": "gambar tersendat (fps rendah)", "picture_no_picture": "tidak ada gambar",
        "picture_unchecked": "gambar tidak diperiksa", "camera": "Kamera",
        "nav_audit": "Riwayat", "audit_title": "Riwayat perubahan", "audit_history": "Riwayat",
        "audit_all": "Semua perubahan perangkat ini",
        "audit_at": "Waktu", "audit_by": "Oleh", "audit_action": "Aksi", "audit_object": "Objek", "audit_change": "Perubahan",
        "audit_actor": "Oleh", "audit_request": "Permintaan", "audit_create": "dibuat", "audit_update": "diubah", "audit_delete": "dihapus",
        "audit_hint":
            "Setiap perubahan, dari API, konsol, dan CLI, beserta pelakunya; riwayat ini tidak dapat diubah (diperiksa dengan nadi audit verify).",
        "schools_good_picture": "dengan gambar baik", "availability_7d": "Ketersediaan 7 hari terakhir", "no_results": "Tidak ditemukan.",
        "not_found": "Halaman tidak ditemukan", "not_found_text": "Yang Anda cari tidak ada atau tidak dalam wilayah Anda.",
        "forbidden": "Tidak diizinkan", "error": "Terjadi kesalahan",
        "unavailable": "Basis data sedang tidak tersedia; coba lagi sebentar.",
        "add_maintenance": "Jadwalkan pemeliharaan", "from": "Dari", "to": "Sampai", "save": "Simpan",
        "maintenance_saved": "Pemeliharaan dijadwalkan.", "times_in": "Waktu dalam", "data_as_of": "Data per",
        "nav_admin": "Pengaturan", "admin_users": "Pengguna konsol", "user_name": "Nama pengguna", "role": "Peran",
        "created": "Dibuat", "disabled": "nonaktif", "active": "aktif", "disable": "Nonaktifkan", "new_password": "Kata sandi baru",
        "repeat_password": "Ulangi kata sandi", "set_password": "Ganti kata sandi", "add_user": "Tambah pengguna",
        "admin_channels": "Kanal peringatan", "channel_name": "Nama kanal", "channel_type": "Jenis kanal", "destination": "Tujuan",
        "min_down": "Mati minimal", "language": "Bahasa", "remove": "Hapus", "add_channel": "Tambah kanal",
        "telegram_chat": "Chat Telegram", "channel_url": "URL webhook / API Telegram", "channel_secret": "Rahasia (kunci HMAC / token bot)",
        "channel_help":
            "Telegram: isi chat dan token bot dari @BotFather (URL kosong = api.telegram.org). WhatsApp: ID nomor telepon, penerima, dua templat yang disetujui Meta, dan token akses sebagai rahasia (URL kosong = graph.facebook.com). Webhook: isi URL dan kunci HMAC. Kirim pesan uji dengan `nadi notify test NAMA`.",
        "wa_phone_id": "ID nomor telepon (WhatsApp Manager)", "wa_to": "Penerima (E.164)", "wa_incident": "Templat insiden",
        "wa_recovery": "Templat pemulihan", "escalation": "Eskalasi", "escalate_after": "Eskalasi setelah", "escalate_to": "ke kanal",
        "repeat_every": "ulangi tiap", "max_repeats": "paling banyak", "escalation_only": "hanya menerima eskalasi",
        "escalation_to": "ke", "escalation_every": "lalu tiap", "escalation_itself": "kanal ini",
        "role_viewer": "pemantau", "role_operator": "operator", "role_admin": "admin",
        "admin_saved_user": "Pengguna ditambahkan.", "admin_saved_disabled": "Pengguna dinonaktifkan; sesinya berakhir.",
        "admin_saved_password": "Kata sandi diganti; sesi pengguna itu berakhir.", "admin_saved_channel": "Kanal ditambahkan.",
        "admin_saved_removed": "Kanal dihapus.",
        "problem_region_invalid": "Kode wilayah tidak dikenali (contoh: 16.71 atau 16.71.05).",
        "problem_region_outside": "Anda hanya mengelola wilayah Anda dan wilayah di bawahnya.",
        "problem_role_invalid": "Peran harus pemantau, operator atau admin.",
        "problem_passwords_differ": "Kedua kata sandi berbeda.",
        "problem_no_user": "Tidak ada pengguna dengan nama itu di wilayah Anda.",
        "problem_disable_self": "Anda tidak dapat menonaktifkan diri sendiri.",
        "problem_max_repeats": "Jumlah pengulangan harus berupa angka.",
        "problem_no_channel": "Tidak ada kanal dengan nama itu di wilayah Anda.",
        "problem_channel_name": "Nama kanal 1–64 huruf, angka, '.', '_' atau '-', diawali huruf atau angka.",
        "problem_channel_region": "Kode wilayah kanal tidak dikenali (contoh: 16.71).",
        "problem_channel_kinds": "Pilih jenis perangkat yang dikenal.",
        "problem_channel_min_down": "Batas mati minimal harus durasi sampai 24 jam, misalnya 0, 90s, 5m atau 1h.",
        "problem_channel_lang": "Bahasa pesan harus id atau en.",
        "problem_channel_destination": "Isi tepat satu tujuan: URL webhook, chat Telegram, atau ID nomor WhatsApp.",
        "problem_channel_url": "URL harus diawali http:// atau https://.",
        "problem_channel_telegram_chat": "Chat Telegram harus berupa ID chat seperti -1001234567890 atau @namakanal.",
        "problem_channel_bot_token": "Token bot harus satu kata seperti yang diberikan @BotFather.",
        "problem_channel_secret": "Rahasia (token atau kunci) wajib diisi, paling panjang 4096 bita, tanpa karakter kendali.",
        "problem_channel_escalation_time": "Waktu eskalasi dan pengulangan harus 1 menit sampai 7 hari: 30 (menit), 30m, 2h, 1d.",
        "problem_channel_escalation_target": "Kanal tujuan eskalasi perlu waktu eskalasi, dan harus berupa nama kanal.",
        "problem_channel_escalation_repeats": "Jumlah pengulangan perlu selang pengulangan, dan harus 1–100.",
        "problem_channel_escalation_self":
            "Kanal tidak dapat dieskalasi ke dirinya sendiri; kosongkan tujuan untuk mengulang di kanal ini.",
        "problem_channel_whatsapp_phone_id": "ID nomor telepon WhatsApp adalah angka dari WhatsApp Manager, bukan nomor teleponnya.",
        "problem_channel_whatsapp_recipients":
            "Penerima WhatsApp ditulis dalam bentuk E.164 (+ lalu kode negara, misalnya +6281234567890), 1 sampai 50 nomor.",
        "problem_channel_whatsapp_templates": "Isi kedua templat WhatsApp (insiden dan pemulihan) dengan nama templat yang disetujui Meta.",
        "problem_channel_whatsapp_token": "Token akses WhatsApp harus satu kata seperti yang diberikan Meta.",
        "problem_channel_unknown_target": "Kanal tujuan eskalasi belum ada; tambahkan kanal itu dahulu.",
        "problem_channel_unknown_region": "Wilayah kanal itu tidak dikenal.",
        "problem_channel_name_taken": "Nama kanal itu sudah dipakai; pilih nama lain.",
        "problem_channel_not_stored": "Kanal tidak tersimpan.",
        "problem_maintenance_target": "Jadwal pemeliharaan perlu satu perangkat atau satu wilayah.",
        "problem_maintenance_from": "Waktu mulai tidak dikenali; tulis misalnya 2026-11-24 22:00 (waktu setempat).",
        "problem_maintenance_to": "Waktu selesai tidak dikenali; tulis misalnya 2026-11-25 02:00 (waktu setempat).",
        "problem_maintenance_order": "Waktu selesai harus sesudah waktu mulai.",
        "problem_maintenance_too_long": "Satu jadwal pemeliharaan paling lama 31 hari; pecah pekerjaan yang lebih panjang.",
        "problem_maintenance_too_old": "Waktu mulai lebih dari setahun lalu; jadwal sejauh itu akan mengubah laporan yang sudah ditutup.",
        "problem_maintenance_reason": "Alasan wajib diisi, 1–300 karakter.",
        "problem_maintenance_backdate":
            "Jadwal dimulai di masa lalu: jadwal mundur mengubah angka yang sudah dilaporkan, jadi hanya admin yang boleh membuatnya (dengan alasan).",
        "problem_maintenance_overlap":
            "Sudah ada jadwal pemeliharaan untuk perangkat ini pada waktu yang bertumpang tindih; ubah atau batalkan jadwal itu.",
        "problem_maintenance_unknown_device": "Perangkat itu tidak dikenal.",
        "problem_maintenance_outside_region": "Perangkat atau wilayah itu di luar wilayah Anda.",
        "problem_maintenance_unknown_region": "Wilayah itu tidak dikenal.",
        "problem_maintenance_not_stored": "Jadwal pemeliharaan tidak tersimpan.",
        "problem_name_length": "Nama pengguna terdiri atas 1–64 karakter.",
        "problem_name_start": "Nama pengguna diawali huruf atau angka.",
        "problem_name_characters": "Nama pengguna hanya boleh berisi huruf, angka dan . _ @ -",
        "problem_password_short": "Kata sandi paling sedikit 10 karakter.",
        "problem_password_long": "Kata sandi paling banyak 72 bita (sisanya diabaikan bcrypt).",
        "problem_password_control": "Kata sandi tidak boleh berisi karakter kendali.",
        "problem_region_unknown": "Wilayah itu belum ada di basis data (muat wilayah dahulu: nadi regions import).",
        "problem_name_taken": "Nama pengguna itu sudah dipakai; pilih nama lain.",
        "problem_not_created": "Pengguna tidak tersimpan.",
        "up_legend": "hidup", "down_legend": "mati sendiri", "upstream_legend": "mati karena hulu", "maint_legend": "pemeliharaan",
        "unknown_legend": "tanpa data",
        "degraded_legend": "terganggu", "sparkline": "Grafik", "sort": "Urutkan", "prev": "sebelumnya", "next": "berikutnya",
        "report_as_of": "Cakupan per", "report_against": "terhadap target masterplan tahun", "report_generated": "dibuat",
        "report_schools": "Sekolah dengan kamera berfungsi", "report_sources": "wilayah: kode Kemendagri · sekolah: Dapodik (NPSN)",
        "no_milestone": "tidak ada tonggak berikutnya",
        "ack": "Ditangani", "acked_by": "ditangani oleh", "ack_button": "Tangani", "ack_note": "catatan (opsional)",
        "monthly_report": "Laporan bulanan",
        "monthly_report_note":
            "Cakupan terhadap masterplan, uptime dan SLA per jenis dan wilayah, perangkat terburuk, sekolah, dan jendela pemeliharaan retroaktif — siap cetak A4.",
        "report_no_pdf": "PDF belum dapat dibuat di server ini (Chromium belum terpasang). Unduh versi HTML dan cetak dari peramban.",
    ]

    static let english: [String: String] = [
        "app": "Nadi — smart city infrastructure",
        "nav_overview": "Overview", "nav_devices": "Devices", "nav_coverage": "Coverage", "nav_uptime": "Uptime",
        "nav_schools": "Schools", "logout": "Log out", "login": "Log in", "lang_switch": "Bahasa Indonesia", "lang_other": "id",
        "user": "User", "password": "Password", "login_title": "Log in to the Nadi console",
        "login_failed": "Wrong user name or password.",
        "login_limited": "Too many failed attempts. Try again in a few minutes.",
        "login_busy": "Too many sign-in attempts right now. Try again in a moment.",
        "retroactive_note": "The figures on this page were changed by retroactive maintenance windows (created after the time they cover):",
        "created_on": "created",
        "outside_region": "a device outside your region",
        "schools_unit": "schools",
        "covered_unit": "covered",
        "created_by": "by",
        "logged_out": "You are logged out.",
        "region": "Region", "kind": "Kind", "state": "State", "cause": "Cause", "search": "Search",
        "all": "All", "filter": "Filter", "download_csv": "Download CSV", "download_geojson": "Download GeoJSON",
        "id": "ID", "name": "Name", "since": "Since", "last_seen": "Last seen", "never": "never",
        "devices_by_state": "Devices by kind and state", "total": "Total",
        "open_incidents": "Open incidents", "root": "Root", "dependents_down": "Devices affected",
        "no_incidents": "No open incidents.", "silent_longest": "Silent longest",
        "no_silent": "Every device is reporting.", "maintenance_now": "Maintenance now",
        "no_maintenance": "No maintenance right now.", "newest_ping": "Newest ping", "reason": "Reason",
        "until": "until", "shown": "shown", "of": "of", "capped": "Only the first rows are shown; narrow the filter.",
        "no_devices": "No device matches.",
        "timeline": "State timeline", "uptime": "Uptime", "sla": "SLA", "last_pings": "Last pings",
        "latency": "Latency (ms)", "metrics": "Metrics", "upstream": "Upstream", "dependents": "Depend on it",
        "none": "none", "installed": "Installed", "operational": "Operational", "target": "Target",
        "achievement": "Achievement", "next_milestone": "Next milestone", "status_met": "met", "status_behind": "behind",
        "status_no_target": "no target", "trajectory": "Rollout trajectory", "milestones": "Masterplan milestones",
        "projection": "Projection", "target_met": "Target already met.", "no_target": "No masterplan target yet.",
        "stalled": "At the last 12 months' pace the target is not reached.",
        "reached_prefix": "At the last 12 months' pace the", "reached_middle": "target of", "reached_suffix": "is reached in",
        "pace": "Installation pace", "per_month": "per month", "drill_up": "Up one level",
        "window": "Window", "by_region": "By region", "by_device": "By device (lowest first)",
        "devices": "Devices", "own_down": "Own failure", "upstream_down": "Upstream", "maintenance": "Maintenance",
        "schools_title": "Schools and CCTV", "schools": "Schools", "covered": "Covered", "coverage_pct": "Coverage",
        "level": "Level", "kecamatan": "District", "map": "School map", "map_covered": "working camera",
        "map_broken": "camera down", "map_none": "no camera yet",
        "public_title": "School cameras", "public_search_hint": "Search a school name or NPSN",
        "public_working": "This school's public camera works now.", "public_not_working": "No public camera works right now.",
        "public_streams": "Stream links", "public_pictures": "Picture of each public camera",
        "picture_good": "good picture", "picture_black": "dark picture", "picture_frozen": "frozen picture",
        "picture_blurred": "blurred picture", "picture_fps_low": "stuttering picture (low frame rate)", "picture_no_picture": "no picture",
        "picture_unchecked": "picture not checked", "camera": "Camera",
        "nav_audit": "History", "audit_title": "Change history", "audit_history": "History", "audit_all": "All changes of this device",
        "audit_at": "When", "audit_by": "By", "audit_action": "Action", "audit_object": "Object", "audit_change": "Change",
        "audit_actor": "By", "audit_request": "Request", "audit_create": "created", "audit_update": "changed", "audit_delete": "deleted",
        "audit_hint":
            "Every change, from the API, the console and the CLI, with who made it; the trail cannot be edited (nadi audit verify checks it).",
        "schools_good_picture": "with a good picture", "availability_7d": "Availability over the last 7 days",
        "no_results": "Nothing found.",
        "not_found": "Page not found", "not_found_text": "What you are looking for does not exist or is outside your region.",
        "forbidden": "Forbidden", "error": "Something went wrong", "unavailable": "The database is unavailable; try again shortly.",
        "add_maintenance": "Plan maintenance", "from": "From", "to": "To", "save": "Save",
        "maintenance_saved": "Maintenance planned.", "times_in": "Times in", "data_as_of": "Data as of",
        "nav_admin": "Settings", "admin_users": "Console users", "user_name": "User name", "role": "Role",
        "created": "Created", "disabled": "disabled", "active": "active", "disable": "Disable", "new_password": "New password",
        "repeat_password": "Repeat password", "set_password": "Set password", "add_user": "Add a user",
        "admin_channels": "Alert channels", "channel_name": "Channel name", "channel_type": "Channel type", "destination": "Destination",
        "min_down": "Minimum outage", "language": "Language", "remove": "Remove", "add_channel": "Add a channel",
        "telegram_chat": "Telegram chat", "channel_url": "Webhook URL / Telegram API", "channel_secret": "Secret (HMAC key / bot token)",
        "channel_help":
            "Telegram: the chat and the bot token from @BotFather (empty URL = api.telegram.org). WhatsApp: the phone-number id, recipients, two templates Meta approved, and the access token as the secret (empty URL = graph.facebook.com). Webhook: the URL and an HMAC key. Send a test message with `nadi notify test NAME`.",
        "wa_phone_id": "Phone-number id (WhatsApp Manager)", "wa_to": "Recipients (E.164)", "wa_incident": "Incident template",
        "wa_recovery": "Recovery template", "escalation": "Escalation", "escalate_after": "Escalate after", "escalate_to": "to channel",
        "repeat_every": "repeat every", "max_repeats": "at most", "escalation_only": "receives escalations only",
        "escalation_to": "to", "escalation_every": "then every", "escalation_itself": "this channel",
        "role_viewer": "viewer", "role_operator": "operator", "role_admin": "admin",
        "admin_saved_user": "User added.", "admin_saved_disabled": "User disabled; their sessions ended.",
        "admin_saved_password": "Password set; that user's sessions ended.", "admin_saved_channel": "Channel added.",
        "admin_saved_removed": "Channel removed.",
        "problem_region_invalid": "The region code is not recognised (for example 16.71 or 16.71.05).",
        "problem_region_outside": "You manage your region and the regions below it only.",
        "problem_role_invalid": "The role must be viewer, operator or admin.",
        "problem_passwords_differ": "The two passwords differ.",
        "problem_no_user": "There is no user of that name in your region.",
        "problem_disable_self": "You cannot disable yourself.",
        "problem_max_repeats": "The number of repeats must be a number.",
        "problem_no_channel": "There is no channel of that name in your region.",
        "problem_channel_name": "A channel name has 1–64 letters, digits, '.', '_' or '-', starting with a letter or a digit.",
        "problem_channel_region": "The channel's region code is not recognised (for example 16.71).",
        "problem_channel_kinds": "Choose device kinds that exist.",
        "problem_channel_min_down": "The minimum down time must be a duration up to 24 hours, e.g. 0, 90s, 5m or 1h.",
        "problem_channel_lang": "The message language must be id or en.",
        "problem_channel_destination": "Give exactly one destination: a webhook URL, a Telegram chat or a WhatsApp phone-number id.",
        "problem_channel_url": "A URL starts with http:// or https://.",
        "problem_channel_telegram_chat": "A Telegram chat is a chat id such as -1001234567890 or @channelname.",
        "problem_channel_bot_token": "The bot token is one word, as @BotFather gives it.",
        "problem_channel_secret": "The secret (token or key) is required, at most 4096 bytes, without control characters.",
        "problem_channel_escalation_time": "Escalation and repeat times are 1 minute to 7 days: 30 (minutes), 30m, 2h, 1d.",
        "problem_channel_escalation_target": "An escalation channel needs an escalation time and must be a channel name.",
        "problem_channel_escalation_repeats": "A number of repeats needs a repeat interval, and is 1–100.",
        "problem_channel_escalation_self": "A channel cannot escalate to itself; leave the target empty to repeat on this channel.",
        "problem_channel_whatsapp_phone_id": "The WhatsApp phone-number id is the number WhatsApp Manager shows, not the phone number.",
        "problem_channel_whatsapp_recipients":
            "WhatsApp recipients are written in E.164 form (+ then the country code, e.g. +6281234567890), 1 to 50 numbers.",
        "problem_channel_whatsapp_templates": "Give both WhatsApp templates (incident and recovery), by the names Meta approved.",
        "problem_channel_whatsapp_token": "The WhatsApp access token is one word, as Meta gives it.",
        "problem_channel_unknown_target": "The escalation channel does not exist yet; add it first.",
        "problem_channel_unknown_region": "The channel's region is not known.",
        "problem_channel_name_taken": "That channel name is taken; choose another.",
        "problem_channel_not_stored": "The channel was not stored.",
        "problem_maintenance_target": "A maintenance window needs one device or one region.",
        "problem_maintenance_from": "The start is not a time; write for example 2026-11-24 22:00 (local time).",
        "problem_maintenance_to": "The end is not a time; write for example 2026-11-25 02:00 (local time).",
        "problem_maintenance_order": "The end must come after the start.",
        "problem_maintenance_too_long": "A maintenance window lasts at most 31 days; split longer work.",
        "problem_maintenance_too_old": "The start is more than a year ago; a window that far back would rewrite closed reports.",
        "problem_maintenance_reason": "A reason is required, 1–300 characters.",
        "problem_maintenance_backdate":
            "The window starts in the past: a retroactive window changes figures already reported, so only an admin may create it (with a reason).",
        "problem_maintenance_overlap": "Another maintenance window covers this device at an overlapping time; change or cancel that one.",
        "problem_maintenance_unknown_device": "That device is not known.",
        "problem_maintenance_outside_region": "That device or region is outside your region.",
        "problem_maintenance_unknown_region": "That region is not known.",
        "problem_maintenance_not_stored": "The maintenance window was not stored.",
        "problem_name_length": "A user name has 1–64 characters.",
        "problem_name_start": "A user name starts with a letter or a digit.",
        "problem_name_characters": "A user name may hold only letters, digits and . _ @ -",
        "problem_password_short": "A password has at least 10 characters.",
        "problem_password_long": "A password has at most 72 bytes (bcrypt ignores the rest).",
        "problem_password_control": "A password cannot hold control characters.",
        "problem_region_unknown": "That region is not in the database yet (load regions first: nadi regions import).",
        "problem_name_taken": "That user name is taken; choose another.",
        "problem_not_created": "The user was not stored.",
        "up_legend": "up", "down_legend": "down on its own", "upstream_legend": "down because of upstream", "maint_legend": "maintenance",
        "unknown_legend": "no data",
        "degraded_legend": "degraded", "sparkline": "Chart", "sort": "Sort", "prev": "previous", "next": "next",
        "report_as_of": "Coverage as of", "report_against": "against the masterplan targets for", "report_generated": "generated",
        "report_schools": "Schools with a working camera", "report_sources": "regions: Kemendagri codes · schools: Dapodik (NPSN)",
        "no_milestone": "no further milestone",
        "ack": "Acknowledged", "acked_by": "acknowledged by", "ack_button": "Acknowledge", "ack_note": "note (optional)",
        "monthly_report": "Monthly report",
        "monthly_report_note":
            "Coverage against the masterplan, uptime and SLA per kind and area, the worst devices, schools and retroactive maintenance windows — ready to print on A4.",
        "report_no_pdf":
            "This server cannot print PDF yet (Chromium is not installed). Download the HTML version and print it from the browser.",
    ]
}
