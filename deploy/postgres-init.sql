-- Run once by the postgres image on an empty volume: the reference portal's own database.
CREATE DATABASE dvc_portal OWNER dvc;
