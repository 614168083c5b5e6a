"""``python -m segkit.campaign``: write the default campaign files under ``data/raw/``.

See :func:`segkit.campaign.simulate.main`.
"""

from segkit.campaign.simulate import main

if __name__ == "__main__":
    main()
