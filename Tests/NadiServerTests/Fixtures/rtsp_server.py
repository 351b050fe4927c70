# A real RTSP server for the prober's and the picture checks' tests: GStreamer's (Debian:
# gir1.2-gst-rtsp-server-1.0, python3-gi, gstreamer1.0-plugins-good).
# Usage: python3 rtsp_server.py PORT [AUTH_PORT]
# Serves MJPEG streams at rtsp://127.0.0.1:PORT/…:
#   /cam1    the default test pattern (for RTSP OPTIONS probes)
#   /ball    a moving ball on a grey background: a good picture
#   /black   a black picture
#   /still   one frame repeated: a frozen picture
#   /blur    moving bars scaled down to 20×15 and back up: a blurred picture
# and, with AUTH_PORT, rtsp://127.0.0.1:AUTH_PORT/secure: the moving ball for user viewer with
# password s3cret only (HTTP Basic, as cameras do; anyone else is answered 401).
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)

size = "video/x-raw,width=240,height=180,framerate=12/1"
ball = "videotestsrc is-live=true pattern=ball background-color=0xff406080 ! " + size
sources = {
    "/cam1": "videotestsrc is-live=true ! " + size,
    "/ball": ball,
    "/black": "videotestsrc is-live=true pattern=black ! " + size,
    "/still": "videotestsrc num-buffers=1 pattern=smpte ! video/x-raw,width=240,height=180 ! imagefreeze is-live=true ! " + size,
    "/blur": "videotestsrc is-live=true pattern=smpte horizontal-speed=3 ! " + size
    + " ! videoscale ! video/x-raw,width=15,height=11 ! videoscale ! " + size,
}


def factory(source, role=None):
    made = GstRtspServer.RTSPMediaFactory()
    made.set_launch("( %s ! videoconvert ! video/x-raw,format=I420 ! jpegenc quality=85 ! rtpjpegpay name=pay0 )" % source)
    made.set_shared(True)
    if role:
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_permission_for_role(role, "media.factory.access", True)
        permissions.add_permission_for_role(role, "media.factory.construct", True)
        made.set_permissions(permissions)
    return made


server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(sys.argv[1])
for path, source in sources.items():
    server.get_mount_points().add_factory(path, factory(source))
server.attach(None)

if len(sys.argv) > 2:
    secure = GstRtspServer.RTSPServer()
    secure.set_address("127.0.0.1")
    secure.set_service(sys.argv[2])
    auth = GstRtspServer.RTSPAuth()
    viewer = GstRtspServer.RTSPToken()
    viewer.set_string("media.factory.role", "viewer")
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic("viewer", "s3cret"), viewer)
    secure.set_auth(auth)
    secure.get_mount_points().add_factory("/secure", factory(ball, role="viewer"))
    secure.attach(None)

print("ready", flush=True)
GLib.MainLoop().run()
