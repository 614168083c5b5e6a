"""``python -m segkit.datasets``: rewrite the default data set under ``data/raw/`` (``make data``)."""

from segkit.datasets.files import write_default_data

if __name__ == "__main__":
    print(write_default_data())
