"""Former home of `client_ip`, kept for one release: AXES_CLIENT_IP_CALLABLE may still name it. Use core.client_ip."""

from core.client_ip import client_ip

__all__ = ["client_ip"]
