# A real RTSP server for the prober's tests: GStreamer's (Debian: gir1.2-gst-rtsp-server-1.0,
# python3-gi). Usage: python3 rtsp_server.py PORT  — serves rtsp://127.0.0.1:PORT/cam1.
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(sys.argv[1])
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch("( videotestsrc is-live=true ! rtpvrawpay name=pay0 )")
server.get_mount_points().add_factory("/cam1", factory)
server.attach(None)
print("ready", flush=True)
GLib.MainLoop().run()
