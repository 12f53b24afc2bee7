import setuptools

setuptools.setup(packages=["foolib"])
