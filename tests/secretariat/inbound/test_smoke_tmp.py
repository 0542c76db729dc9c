import glob
from pathlib import Path
from secretariat.inbound.services import inbound_process
from tests.secretariat.inbound.conftest import message

def test_all(world):
    inv = world.invitation("ursula.eichel@giz.example"); print(inv.state, inv.sent_at)
    for f in sorted(glob.glob(str(Path(__file__).parent / "messages/*.eml"))):
        name = Path(f).name
        p = inbound_process(raw=message(name, INVITATION_ID=inv.pk))
        print(name, p.outcome, p.detail)
    assert 0
