-- One database per service (DESIGN §2: no service reads another's tables).
CREATE DATABASE gateway;
CREATE DATABASE registration;
CREATE DATABASE inspection;
CREATE DATABASE subsidy;
CREATE DATABASE training;
